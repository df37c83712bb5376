import { Module } from '@nestjs/common';

/** Mcp feature module: registered from the start, filled in by its own issue. */
@Module({})
export class McpModule {}
