import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { OAuthPayloadsRepository } from './oauth-payloads.repository';

export interface SigningKeys {
  keys: Record<string, unknown>[];
}

/**
 * The authorization server's signing keys (ID tokens; access tokens are opaque): OAUTH_JWKS, else
 * one P-256 key generated at the first start and kept in PostgreSQL, so every instance and every
 * restart signs with the same key.
 */
@Injectable()
export class OAuthKeys {
  private readonly logger = new Logger(OAuthKeys.name);

  constructor(
    private readonly config: AppConfig,
    private readonly payloads: OAuthPayloadsRepository,
  ) {}

  async load(): Promise<SigningKeys> {
    if (this.config.oauth.jwks) return this.config.oauth.jwks;
    if (this.config.nodeEnv === 'production') {
      this.logger.warn(
        'OAUTH_JWKS is unset: the OAuth signing key generated once is read from PostgreSQL',
      );
    }
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const generated = {
      ...privateKey.export({ format: 'jwk' }),
      kid: randomBytes(12).toString('base64url'),
      alg: 'ES256',
      use: 'sig',
    };
    // The first instance to start stores its key; the others read that one.
    return (await this.payloads.insertOnce('SigningKeys', 'current', {
      keys: [generated],
    })) as unknown as SigningKeys;
  }
}
