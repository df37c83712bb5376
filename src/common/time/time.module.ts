import { DynamicModule, Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from './clock';

@Global()
@Module({})
export class TimeModule {
  /** The system clock, or the given one (tests pass a clock they can move). */
  static forRoot(clock?: Clock): DynamicModule {
    return {
      module: TimeModule,
      providers: [
        clock ? { provide: Clock, useValue: clock } : { provide: Clock, useClass: SystemClock },
      ],
      exports: [Clock],
    };
  }
}
