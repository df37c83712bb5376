import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { User } from '../entities/user.entity';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** The signed-in user's own account, as the profile page shows it. */
export class AccountDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['user', 'admin'] }) role!: string;
  @ApiProperty({ enum: ['active', 'disabled'] }) status!: string;
  @ApiProperty() email_verified!: boolean;
  @ApiProperty({ description: 'A Google account is linked (Continue with Google works)' })
  google_linked!: boolean;
  @ApiProperty({ description: 'A password is set (a Google-only account has none)' })
  has_password!: boolean;
  @ApiProperty({ format: 'date-time' }) created_at!: string;

  static from(user: User): AccountDto {
    return Object.assign(new AccountDto(), {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      status: user.status,
      email_verified: user.emailVerified,
      google_linked: user.googleId !== null,
      has_password: user.passwordHash !== null,
      created_at: user.createdAt.toISOString(),
    });
  }
}

export class UpdateAccountDto {
  @ApiProperty({ example: 'Somchai', minLength: 1, maxLength: 200 })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name!: string;
}

export class ChangePasswordDto {
  @ApiPropertyOptional({ description: 'Required when the account has a password' })
  @IsOptional()
  @IsString()
  @Length(1, 1024)
  current_password?: string;

  @ApiProperty({ minLength: 8, maxLength: 128 })
  @IsString()
  @Length(1, 1024)
  new_password!: string;
}

export class PasswordCheckDto {
  @ApiProperty({ maxLength: 1024 })
  @IsString()
  @Length(0, 1024)
  password!: string;

  @ApiPropertyOptional({ description: 'The account email (a password must not contain it)' })
  @IsOptional()
  @Transform(trim)
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email?: string;
}

export class PasswordCheckResultDto {
  @ApiProperty() acceptable!: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The first rule the password breaks, as the server words it',
  })
  problem!: string | null;
  @ApiProperty({ example: 8 }) min_length!: number;
  @ApiProperty({ example: 128 }) max_length!: number;
}
