import { ApiProperty } from '@nestjs/swagger';

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['user', 'admin'] }) role!: string;
  @ApiProperty({ enum: ['active', 'disabled'] }) status!: string;
  @ApiProperty() emailVerified!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class TokenPairDto {
  @ApiProperty({ description: 'JWT for `Authorization: Bearer …`' }) access_token!: string;
  @ApiProperty({ description: 'Opaque, single use: exchange it at /api/auth/refresh' })
  refresh_token!: string;
  @ApiProperty({ example: 'Bearer' }) token_type!: 'Bearer';
  @ApiProperty({ example: 900, description: 'Seconds until the access token expires' })
  expires_in!: number;
  @ApiProperty({ type: UserDto }) user!: UserDto;
}
