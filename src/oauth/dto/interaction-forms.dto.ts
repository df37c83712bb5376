import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';

/** The sign-in form of an authorization. */
export class LoginFormDto {
  @ApiPropertyOptional({ description: 'The form token' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  csrf?: string;

  @ApiPropertyOptional({ enum: ['th', 'en'] })
  @IsOptional()
  @IsIn(['th', 'en'])
  lang?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  password?: string;
}

/** The consent form: allow with caps at most the proposed ones, or deny. */
export class ConsentFormDto {
  @ApiPropertyOptional({ description: 'The form token' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  csrf?: string;

  @ApiPropertyOptional({ enum: ['th', 'en'] })
  @IsOptional()
  @IsIn(['th', 'en'])
  lang?: string;

  @ApiPropertyOptional({ enum: ['allow', 'deny'] })
  @IsOptional()
  @IsIn(['allow', 'deny'])
  decision?: string;

  @ApiPropertyOptional({
    description: 'Credits per period; empty: the proposed cap',
    example: '20',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  period_cap?: string;

  @ApiPropertyOptional({ description: 'Credits in all; empty: the proposed cap' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  total_cap?: string;
}
