import { Body, Controller, Get, HttpCode, Patch, Post, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CurrentUser } from '../decorators/current-user.decorator';
import type { AuthenticatedUser } from '../decorators/current-user.decorator';
import { JwtAuthGuard } from '../guards/jwt-auth.guard';
import { AccountService } from './account.service';
import { AccountDto, ChangePasswordDto, UpdateAccountDto } from './account.dto';

/** The signed-in user's own account. Who may call: any user with a JWT access token, for themself. */
@ApiTags('account')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No or invalid access token.' })
@UseGuards(JwtAuthGuard)
@Controller('api/account')
export class AccountController {
  constructor(private readonly account: AccountService) {}

  @Get()
  @ApiOperation({ summary: 'My account (name, email, Google linked, password set)' })
  @ApiOkResponse({ type: AccountDto })
  async get(@CurrentUser() user: AuthenticatedUser): Promise<AccountDto> {
    return AccountDto.from(await this.account.get(user.id));
  }

  @Patch()
  @ApiOperation({ summary: 'Change my name' })
  @ApiOkResponse({ type: AccountDto })
  async update(
    @CurrentUser() user: AuthenticatedUser,
    @Body() dto: UpdateAccountDto,
  ): Promise<AccountDto> {
    return AccountDto.from(await this.account.rename(user.id, dto.name));
  }

  @Post('password')
  @HttpCode(204)
  @ApiOperation({ summary: 'Change (or, for a Google-only account, set) my password' })
  @ApiNoContentResponse({ description: 'Changed; every login (refresh token) has ended' })
  @ApiBadRequestResponse({ description: 'Wrong current password, or weak new one (rule named)' })
  changePassword(
    @CurrentUser() user: AuthenticatedUser,
    @Body() dto: ChangePasswordDto,
  ): Promise<void> {
    return this.account.changePassword(user.id, dto);
  }
}
