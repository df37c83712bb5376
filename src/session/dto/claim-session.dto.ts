import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { THIRD_PARTY_SESSION_ID } from '../session-token';

/** The same charset and length the Google start accepts for `?session=`. */
export class ClaimSessionDto {
  @ApiProperty({
    description: "The third party's session id it sent the user with",
    example: 'sora2-7f3a9c',
  })
  @IsString()
  @Matches(THIRD_PARTY_SESSION_ID, {
    message: 'session must be 1-128 characters of letters, digits and ._~-',
  })
  session!: string;
}
