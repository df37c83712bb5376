import { Module } from '@nestjs/common';

/** Admin feature module: registered from the start, filled in by its own issue. */
@Module({})
export class AdminModule {}
