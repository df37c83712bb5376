import { Global, Module } from '@nestjs/common';
import { AuditLogService } from './audit-log.service';

/** Global so any module's mutation can write its audit row inside its own transaction. */
@Global()
@Module({
  providers: [AuditLogService],
  exports: [AuditLogService],
})
export class AuditModule {}
