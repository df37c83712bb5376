import { Body, Controller, Get, Param, Patch, Put } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AdminOnly, CurrentOperator } from '../../auth/admin-access';
import type { Operator } from '../../auth/admin-access';
import { PatchModelDto, PutModelDto } from './admin-models.dto';
import { AdminModelDto } from './models.controller';
import { ModelsService } from './models.service';

/** Admins only (JWT with role admin): the whole catalogue, disabled models included; audited. */
@ApiTags('admin')
@AdminOnly()
@Controller('api/admin/models')
export class AdminModelsController {
  constructor(private readonly models: ModelsService) {}

  @Get()
  @ApiOperation({ summary: 'Every model, enabled or not' })
  @ApiOkResponse({ type: [AdminModelDto] })
  async list(): Promise<AdminModelDto[]> {
    return (await this.models.listAll()).map((model) => AdminModelDto.fromAdmin(model));
  }

  @Put(':id')
  @ApiOperation({ summary: 'Create or replace a model (audited)' })
  @ApiOkResponse({ type: AdminModelDto })
  @ApiUnprocessableEntityResponse({ description: 'Unknown fallback, or the model itself.' })
  async put(
    @CurrentOperator() admin: Operator,
    @Param('id') id: string,
    @Body() dto: PutModelDto,
  ): Promise<AdminModelDto> {
    return AdminModelDto.fromAdmin(await this.models.put(admin, id, dto));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change some fields of a model (audited)' })
  @ApiNotFoundResponse({ description: 'No such model.' })
  @ApiOkResponse({ type: AdminModelDto })
  @ApiUnprocessableEntityResponse({ description: 'Unknown fallback, or the model itself.' })
  async patch(
    @CurrentOperator() admin: Operator,
    @Param('id') id: string,
    @Body() dto: PatchModelDto,
  ): Promise<AdminModelDto> {
    return AdminModelDto.fromAdmin(await this.models.patch(admin, id, dto));
  }
}
