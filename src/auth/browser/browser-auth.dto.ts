import { ApiProperty } from '@nestjs/swagger';
import { UserDto } from '../dto/auth-responses.dto';

/** What the browser app gets: the access token only; the refresh token stays in its cookie. */
export class BrowserTokenDto {
  @ApiProperty({ description: 'JWT for `Authorization: Bearer …`, kept in memory only' })
  access_token!: string;
  @ApiProperty({ example: 'Bearer' }) token_type!: 'Bearer';
  @ApiProperty({ example: 900, description: 'Seconds until the access token expires' })
  expires_in!: number;
  @ApiProperty({ type: UserDto }) user!: UserDto;
}
