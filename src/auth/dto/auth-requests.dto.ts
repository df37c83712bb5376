import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Strength rules are checked by the service, which names the rule a password breaks. */
const PasswordProperty = (description: string) =>
  applyDecorators(
    ApiProperty({ minLength: 8, maxLength: 128, description }),
    IsString(),
    Length(1, 1024),
  );

const CodeProperty = () =>
  applyDecorators(
    ApiProperty({ example: '042917', description: 'The 6-digit code from the mail' }),
    Matches(/^\d{6}$/, {
      message: ({ value }) =>
        typeof value === 'string'
          ? 'code must be 6 digits'
          : `code must be a string of 6 digits such as "042917", not a ${value === null ? 'null' : typeof value}`,
    }),
  );

export class EmailDto {
  @ApiProperty({ example: 'somchai@example.com' })
  @Transform(trim)
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;
}

export class RegisterDto extends EmailDto {
  @PasswordProperty('At least 8 characters, with a letter and a digit or symbol')
  password!: string;

  @ApiProperty({ example: 'Somchai' })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name!: string;
}

export class LoginDto extends EmailDto {
  @PasswordProperty('The account password')
  password!: string;
}

export class RefreshTokenDto {
  @ApiProperty({ description: 'The refresh_token from login or from the last refresh' })
  @IsString()
  @Length(1, 256)
  refresh_token!: string;
}

export class VerifyEmailDto extends EmailDto {
  @CodeProperty()
  code!: string;
}

export class ResetPasswordDto extends EmailDto {
  @CodeProperty()
  code!: string;

  @PasswordProperty('The new password: at least 8 characters, with a letter and a digit or symbol')
  password!: string;
}
