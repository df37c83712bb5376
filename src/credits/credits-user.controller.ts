import { Body, Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import type { AuthenticatedUser } from '../auth/decorators/current-user.decorator';
import { JwtAuthGuard } from '../auth/guards/jwt-auth.guard';
import { CreditLedgerService } from './credit-ledger.service';
import { RedeemPromoCodeDto, TransactionsQueryDto } from './dto/credit-requests.dto';
import { PromoCodesService } from './promo/promo-codes.service';
import { BalanceDto, RedeemResultDto, TransactionPageDto } from './dto/credit-responses.dto';

/** The signed-in user's own credits. Who may call: any user with a JWT access token, for themself. */
@ApiTags('credits (users)')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No or invalid access token.' })
@UseGuards(JwtAuthGuard)
@Controller('api/credits')
export class CreditsUserController {
  constructor(
    private readonly ledger: CreditLedgerService,
    private readonly promos: PromoCodesService,
  ) {}

  @Get('balance')
  @ApiOperation({ summary: 'Balance, available (balance − active holds) and held credits' })
  @ApiOkResponse({ type: BalanceDto })
  async balance(@CurrentUser() user: AuthenticatedUser): Promise<BalanceDto> {
    return BalanceDto.from(await this.ledger.balance(user.id));
  }

  @Get('transactions')
  @ApiOperation({
    summary: 'Ledger rows, newest first; pass next_cursor as cursor for the next page',
  })
  @ApiOkResponse({ type: TransactionPageDto })
  async transactions(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: TransactionsQueryDto,
  ): Promise<TransactionPageDto> {
    const page = await this.ledger.transactions(user.id, query.limit ?? 20, query.cursor);
    return TransactionPageDto.from(page);
  }

  @Post('redeem')
  @HttpCode(200)
  @ApiOperation({ summary: 'Redeem a promo code' })
  @ApiNotFoundResponse({ description: 'Unknown code.' })
  @ApiGoneResponse({ description: 'Expired, exhausted or deactivated code.' })
  @ApiConflictResponse({ description: 'This user already redeemed the code.' })
  @ApiTooManyRequestsResponse({ description: 'Too many attempts this minute.' })
  @ApiOkResponse({ type: RedeemResultDto })
  async redeem(
    @CurrentUser() user: AuthenticatedUser,
    @Body() dto: RedeemPromoCodeDto,
  ): Promise<RedeemResultDto> {
    return RedeemResultDto.from(await this.promos.redeem(user.id, dto.code));
  }
}
