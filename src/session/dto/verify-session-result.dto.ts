import { ApiProperty } from '@nestjs/swagger';
import type { UserCaller } from '../../auth/authentication/caller';

class VerifiedUserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'date-time', description: 'When the session expires' })
  expires_at!: string;
}

/**
 * The seeds' contract: `user.{id, email, name}` and `expiresAt` at the top level, which keeps its
 * spelling beside the snake_case `expires_at`.
 */
export class VerifySessionResultDto {
  @ApiProperty({ enum: [true] }) success!: true;
  @ApiProperty({ type: VerifiedUserDto }) user!: VerifiedUserDto;
  @ApiProperty({ format: 'date-time' }) expires_at!: string;
  @ApiProperty({ format: 'date-time', description: 'The same as expires_at (pinned by the seeds)' })
  expiresAt!: string;

  /** From the caller a VERIFIED session resolved to. */
  static from(caller: Pick<UserCaller, 'user' | 'expiresAt'>): VerifySessionResultDto {
    const expiresAt = caller.expiresAt.toISOString();
    const { id, email, name } = caller.user;
    return {
      success: true,
      user: { id, email, name, expires_at: expiresAt },
      expires_at: expiresAt,
      expiresAt,
    };
  }
}
