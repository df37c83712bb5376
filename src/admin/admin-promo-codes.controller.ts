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
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { StreamableFile } from '@nestjs/common';
import { PromoBatchDto, PromoCodeDto, PromoCodePageDto } from './dto/admin-responses.dto';
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
  @ApiCreatedResponse({ type: PromoCodeDto })
  @ApiConflictResponse({ description: 'A code with this code already exists.' })
  async create(
    @CurrentOperator() admin: Operator,
    @Body() dto: CreatePromoCodeDto,
  ): Promise<PromoCodeDto> {
    const promo = await this.promos.create(admin, {
      code: dto.code,
      amount: dto.amount,
      maxRedemptions: dto.max_redemptions,
      expiresAt: optionalDate(dto.expires_at),
    });
    return PromoCodeDto.from(promo);
  }

  /** Admins: up to 1,000 generated codes at once, as JSON or CSV (`?format=csv` or `Accept: text/csv`). */
  @Post('batch')
  @ApiOperation({ summary: 'Create up to 1,000 generated codes at once' })
  @ApiProduces('application/json', 'text/csv')
  @ApiExtraModels(PromoBatchDto)
  @ApiCreatedResponse({
    description: 'The codes as JSON, or as CSV with format=csv or Accept: text/csv',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(PromoBatchDto) } },
      'text/csv': { schema: { type: 'string' } },
    },
  })
  async createBatch(
    @CurrentOperator() admin: Operator,
    @Body() dto: CreatePromoBatchDto,
    @Query() query: PromoBatchQueryDto,
    @Headers('accept') accept?: string,
  ): Promise<PromoBatchDto | StreamableFile> {
    const codes = await this.promos.createBatch(admin, {
      count: dto.count,
      prefix: dto.prefix,
      amount: dto.amount,
      maxRedemptions: dto.max_redemptions,
      expiresAt: optionalDate(dto.expires_at),
    });
    const csv = query.format === 'csv' || (!query.format && /\btext\/csv\b/.test(accept ?? ''));
    return csv ? this.promos.batchCsv(codes) : PromoBatchDto.from(codes);
  }

  /** Admins: codes with their redemption counts, newest first. */
  @Get()
  @ApiOperation({ summary: 'List promo codes with redemption counts (keyset pages)' })
  @ApiOkResponse({ type: PromoCodePageDto })
  async list(@Query() query: PromoCodesQueryDto): Promise<PromoCodePageDto> {
    const active = query.active === undefined ? undefined : query.active === 'true';
    const page = await this.promos.list({ active }, query.limit ?? DEFAULT_LIMIT, query.cursor);
    return PromoCodePageDto.from(page);
  }

  /** Admins: switch a code on or off. */
  @Patch(':id')
  @ApiOperation({ summary: 'Activate or deactivate a promo code' })
  @ApiOkResponse({ type: PromoCodeDto })
  @ApiNotFoundResponse({ description: 'Unknown promo code.' })
  async update(
    @CurrentOperator() admin: Operator,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdatePromoCodeDto,
  ): Promise<PromoCodeDto> {
    return PromoCodeDto.from(await this.promos.setActive(admin, id, dto.active));
  }
}
