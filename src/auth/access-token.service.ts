import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { InvalidAccessTokenError } from './auth.errors';
import { UserRole } from './entities/user.entity';

interface AccessClaims {
  sub: string;
  role: UserRole;
  typ: 'access';
  iat: number;
  exp: number;
}

/**
 * Short-lived HS256 JWTs (JWT_SECRET, JWT_ACCESS_TTL). Issue and expiry times come from the
 * injected Clock, so tests move time instead of waiting for a token to expire.
 */
@Injectable()
export class AccessTokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }

  get ttlSeconds(): number {
    return this.config.auth.accessTokenTtlSeconds;
  }

  sign(user: { id: string; role: UserRole }): Promise<string> {
    const iat = this.nowSeconds();
    const claims: AccessClaims = {
      sub: user.id,
      role: user.role,
      typ: 'access',
      iat,
      exp: iat + this.ttlSeconds,
    };
    return this.jwt.signAsync(claims);
  }

  /** The claims of a valid, unexpired token; InvalidAccessTokenError otherwise. */
  async verify(token: string): Promise<{ userId: string; role: UserRole }> {
    try {
      const claims = await this.jwt.verifyAsync<AccessClaims>(token, {
        algorithms: ['HS256'],
        clockTimestamp: this.nowSeconds(),
      });
      if (claims.typ !== 'access' || typeof claims.sub !== 'string') {
        throw new InvalidAccessTokenError();
      }
      return { userId: claims.sub, role: claims.role };
    } catch {
      throw new InvalidAccessTokenError();
    }
  }
}
