import { Body, Controller, Get, Param, Patch, Put } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AdminOnly, CurrentOperator } from '../../auth/admin-access';
import type { Operator } from '../../auth/admin-access';
import { PatchModelDto, PutModelDto } from './admin-models.dto';
import { AdminModelView, ModelsService } from './models.service';

/** Admins only (JWT with role admin): the whole catalogue, disabled models included; audited. */
@ApiTags('admin')
@AdminOnly()
@Controller('api/admin/models')
export class AdminModelsController {
  constructor(private readonly models: ModelsService) {}

  @Get()
  @ApiOperation({ summary: 'Every model, enabled or not' })
  list(): Promise<AdminModelView[]> {
    return this.models.listAll();
  }

  @Put(':id')
  @ApiOperation({ summary: 'Create or replace a model (audited)' })
  @ApiUnprocessableEntityResponse({ description: 'Unknown fallback, or the model itself.' })
  put(
    @CurrentOperator() admin: Operator,
    @Param('id') id: string,
    @Body() dto: PutModelDto,
  ): Promise<AdminModelView> {
    return this.models.put(admin, id, dto);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change some fields of a model (audited)' })
  @ApiNotFoundResponse({ description: 'No such model.' })
  @ApiUnprocessableEntityResponse({ description: 'Unknown fallback, or the model itself.' })
  patch(
    @CurrentOperator() admin: Operator,
    @Param('id') id: string,
    @Body() dto: PatchModelDto,
  ): Promise<AdminModelView> {
    return this.models.patch(admin, id, dto);
  }
}
