import { ApiProperty } from '@nestjs/swagger';
import type { VerifiedSession } from '../session.service';

class VerifiedUserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}

/** The seeds' contract: `expiresAt` both inside `user` and at the top level. */
export class VerifySessionResultDto {
  @ApiProperty({ example: true }) success!: true;
  @ApiProperty({ type: VerifiedUserDto }) user!: VerifiedUserDto;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;

  static from(session: VerifiedSession): VerifySessionResultDto {
    const expiresAt = session.expiresAt.toISOString();
    return { success: true, user: { ...session.user, expiresAt }, expiresAt };
  }
}
