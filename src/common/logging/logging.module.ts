import { DynamicModule, Global, Module } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { AppLogger } from './app-logger';

/** The application's one logger (`AppLogger`), for `app.useLogger` and the access log. */
@Global()
@Module({})
export class LoggingModule {
  static forRoot(level: string, destination?: DestinationStream): DynamicModule {
    return {
      module: LoggingModule,
      providers: [{ provide: AppLogger, useValue: new AppLogger(level, destination) }],
      exports: [AppLogger],
    };
  }
}
