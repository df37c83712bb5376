import { Module } from '@nestjs/common';
import { WebAppController } from './web-app.controller';

/** The browser app (web/, built by vite into dist/web). Imported last: its catch-all route is. */
@Module({ controllers: [WebAppController] })
export class WebAppModule {}
