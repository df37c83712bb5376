import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { AdminGrantsController } from './admin-grants.controller';
import { GrantEvents } from './grant-events';
import { GrantsController } from './grants.controller';
import { GrantsRepository } from './grants.repository';
import { GrantsService } from './grants.service';

/** Spending grants (issue 19): the user's "Connected apps" and the admins' view of them. */
@Module({
  imports: [AuthModule],
  controllers: [GrantsController, AdminGrantsController],
  providers: [GrantsRepository, GrantsService, GrantEvents],
  exports: [GrantsService, GrantEvents],
})
export class GrantsModule {}
