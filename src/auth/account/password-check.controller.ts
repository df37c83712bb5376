import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from '../passwords';
import { PasswordCheckDto, PasswordCheckResultDto } from './account.dto';

/** Anyone: the sign-up and reset forms show the server's own password rules while the user types. */
@ApiTags('auth')
@Controller('api/auth/password-check')
export class PasswordCheckController {
  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Which password rule (if any) a candidate breaks; nothing is stored' })
  @ApiOkResponse({ type: PasswordCheckResultDto })
  check(@Body() dto: PasswordCheckDto): PasswordCheckResultDto {
    const problem = passwordProblem(dto.password, dto.email);
    return {
      acceptable: problem === null,
      problem,
      min_length: PASSWORD_MIN_LENGTH,
      max_length: PASSWORD_MAX_LENGTH,
    };
  }
}
