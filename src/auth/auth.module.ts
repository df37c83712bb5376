import { Module } from '@nestjs/common';

/** Auth feature module: registered from the start, filled in by its own issue. */
@Module({})
export class AuthModule {}
