import { ApiProperty } from '@nestjs/swagger';
import type { TokenPair } from '../auth.service';
import type { UserView } from '../users.service';

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['user', 'admin'] }) role!: string;
  @ApiProperty({ enum: ['active', 'disabled'] }) status!: string;
  @ApiProperty() email_verified!: boolean;
  @ApiProperty({ format: 'date-time' }) created_at!: string;

  static from(user: UserView): UserDto {
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      status: user.status,
      email_verified: user.email_verified,
      created_at: user.created_at,
    };
  }
}

export class TokenPairDto {
  @ApiProperty({ description: 'JWT for `Authorization: Bearer …`' }) access_token!: string;
  @ApiProperty({ description: 'Opaque, single use: exchange it at /api/auth/refresh' })
  refresh_token!: string;
  @ApiProperty({ example: 'Bearer' }) token_type!: 'Bearer';
  @ApiProperty({ example: 900, description: 'Seconds until the access token expires' })
  expires_in!: number;
  @ApiProperty({ type: UserDto }) user!: UserDto;

  static from(pair: TokenPair): TokenPairDto {
    return {
      access_token: pair.access_token,
      refresh_token: pair.refresh_token,
      token_type: pair.token_type,
      expires_in: pair.expires_in,
      user: UserDto.from(pair.user),
    };
  }
}

/** 202 of the routes that mail a code: the same answer whether or not the address has an account. */
export class AcceptedDto {
  @ApiProperty({ enum: ['accepted'] }) status!: 'accepted';
}
