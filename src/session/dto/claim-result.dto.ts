import { ApiProperty } from '@nestjs/swagger';

export class ClaimPendingDto {
  @ApiProperty({
    enum: ['pending'],
    description: 'The user has not finished logging in: poll again',
  })
  status!: 'pending';
}

class ClaimedUserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
}

/** The session a user's login made for this service, delivered once. */
export class ClaimedSessionDto {
  @ApiProperty({ description: 'The VERIFIED-… token: a bearer credential for this user' })
  session_token!: string;
  @ApiProperty({ type: ClaimedUserDto }) user!: ClaimedUserDto;
  @ApiProperty({ format: 'date-time' }) expires_at!: string;

  static from(claimed: {
    token: string;
    user: { id: string; email: string; name: string };
    expiresAt: Date;
  }): ClaimedSessionDto {
    const { id, email, name } = claimed.user;
    return {
      session_token: claimed.token,
      user: { id, email, name },
      expires_at: claimed.expiresAt.toISOString(),
    };
  }
}

export class RevokedCountDto {
  @ApiProperty({ example: 3, description: 'How many were revoked' }) revoked!: number;
}
