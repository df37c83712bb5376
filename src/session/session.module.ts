import { Module } from '@nestjs/common';

/** Session feature module: registered from the start, filled in by its own issue. */
@Module({})
export class SessionModule {}
