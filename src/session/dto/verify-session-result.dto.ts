import { ApiProperty } from '@nestjs/swagger';
import type { UserCaller } from '../../auth/authentication/caller';

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

  /** From the caller a VERIFIED session resolved to. */
  static from(caller: Pick<UserCaller, 'user' | 'expiresAt'>): VerifySessionResultDto {
    const expiresAt = caller.expiresAt.toISOString();
    const { id, email, name } = caller.user;
    return { success: true, user: { id, email, name, expiresAt }, expiresAt };
  }
}
