import { DynamicModule, Global, Module } from '@nestjs/common';
import { CimdNetwork, PublicInternet } from './cimd-network';

@Global()
@Module({})
export class CimdNetworkModule {
  /**
   * Where Client ID Metadata Documents come from: the public internet, or `network` (tests).
   * Global, like the clock, so OAuthModule stays a plain module any feature can import.
   */
  static forRoot(network?: CimdNetwork): DynamicModule {
    return {
      module: CimdNetworkModule,
      providers: [{ provide: CimdNetwork, useValue: network ?? new PublicInternet() }],
      exports: [CimdNetwork],
    };
  }
}
