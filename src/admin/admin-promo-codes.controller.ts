import {
  Body,
  Controller,
  Get,
  Headers,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { AdminOnly, CurrentOperator } from '../auth/admin-access';
import type { Operator } from '../auth/admin-access';
import { AdminPromoCodesService } from './admin-promo-codes.service';
import {
  CreatePromoBatchDto,
  CreatePromoCodeDto,
  PromoBatchQueryDto,
  PromoCodesQueryDto,
  UpdatePromoCodeDto,
  optionalDate,
} from './dto/admin-requests.dto';

const DEFAULT_LIMIT = 50;

/** Promo codes. Who may call: admins only (JWT with role `admin`). */
@ApiTags('admin: promo codes')
@AdminOnly()
@ApiBadRequestResponse({ description: 'Invalid id, body or query.' })
@Controller('api/admin/promo-codes')
export class AdminPromoCodesController {
  constructor(private readonly promos: AdminPromoCodesService) {}

  /** Admins: one code, given or generated from an unambiguous alphabet (no 0/O, 1/I/L). */
  @Post()
  @ApiOperation({ summary: 'Create a promo code' })
  @ApiConflictResponse({ description: 'A code with this code already exists.' })
  create(@CurrentOperator() admin: Operator, @Body() dto: CreatePromoCodeDto) {
    return this.promos.create(admin, {
      code: dto.code,
      amount: dto.amount,
      maxRedemptions: dto.max_redemptions,
      expiresAt: optionalDate(dto.expires_at),
    });
  }

  /** Admins: up to 1,000 generated codes at once, as JSON or CSV (`?format=csv` or `Accept: text/csv`). */
  @Post('batch')
  @ApiOperation({ summary: 'Create up to 1,000 generated codes at once' })
  @ApiProduces('application/json', 'text/csv')
  async createBatch(
    @CurrentOperator() admin: Operator,
    @Body() dto: CreatePromoBatchDto,
    @Query() query: PromoBatchQueryDto,
    @Headers('accept') accept?: string,
  ) {
    const codes = await this.promos.createBatch(admin, {
      count: dto.count,
      prefix: dto.prefix,
      amount: dto.amount,
      maxRedemptions: dto.max_redemptions,
      expiresAt: optionalDate(dto.expires_at),
    });
    const csv = query.format === 'csv' || (!query.format && /\btext\/csv\b/.test(accept ?? ''));
    return csv ? this.promos.batchCsv(codes) : { count: codes.length, items: codes };
  }

  /** Admins: codes with their redemption counts, newest first. */
  @Get()
  @ApiOperation({ summary: 'List promo codes with redemption counts (keyset pages)' })
  list(@Query() query: PromoCodesQueryDto) {
    const active = query.active === undefined ? undefined : query.active === 'true';
    return this.promos.list({ active }, query.limit ?? DEFAULT_LIMIT, query.cursor);
  }

  /** Admins: switch a code on or off. */
  @Patch(':id')
  @ApiOperation({ summary: 'Activate or deactivate a promo code' })
  @ApiNotFoundResponse({ description: 'Unknown promo code.' })
  update(
    @CurrentOperator() admin: Operator,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdatePromoCodeDto,
  ) {
    return this.promos.setActive(admin, id, dto.active);
  }
}
