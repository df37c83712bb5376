import { Body, Controller, Get, Param, Patch, Put, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { AuthenticatedUser } from '../../auth/decorators/current-user.decorator';
import { CurrentUser } from '../../auth/decorators/current-user.decorator';
import { Roles } from '../../auth/decorators/roles.decorator';
import { RolesGuard } from '../../auth/guards/roles.guard';
import { PatchModelDto, PutModelDto } from './admin-models.dto';
import { AdminModelView, ModelsService } from './models.service';

/** Admins only (JWT with role admin): the whole catalogue, disabled models included; audited. */
@ApiTags('admin')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'Not an admin.' })
@UseGuards(RolesGuard)
@Roles('admin')
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
    @CurrentUser() admin: AuthenticatedUser,
    @Param('id') id: string,
    @Body() dto: PutModelDto,
  ): Promise<AdminModelView> {
    return this.models.put(admin.id, id, dto);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change some fields of a model (audited)' })
  @ApiNotFoundResponse({ description: 'No such model.' })
  @ApiUnprocessableEntityResponse({ description: 'Unknown fallback, or the model itself.' })
  patch(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('id') id: string,
    @Body() dto: PatchModelDto,
  ): Promise<AdminModelView> {
    return this.models.patch(admin.id, id, dto);
  }
}
