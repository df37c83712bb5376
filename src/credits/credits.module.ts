import { Module } from '@nestjs/common';

/** Credits feature module: registered from the start, filled in by its own issue. */
@Module({})
export class CreditsModule {}
