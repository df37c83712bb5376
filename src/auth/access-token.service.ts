import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Clock } from '../common/time/clock';
import { isUuid } from '../common/uuid';
import { AppConfig } from '../config/app-config';
import { InvalidAccessTokenError } from './auth.errors';
import { UserRole } from './entities/user.entity';

interface AccessClaims {
  sub: string;
  /** The login this token belongs to: its refresh-token family. Logout ends it. */
  sid: string;
  role: UserRole;
  typ: 'access';
  iat: number;
  exp: number;
}

/** What a valid access token says. */
export interface AccessTokenClaims {
  userId: string;
  loginId: string;
  role: UserRole;
  issuedAt: Date;
  expiresAt: Date;
}

/**
 * Short-lived HS256 JWTs (JWT_SECRET, JWT_ACCESS_TTL), each bound to one login (`sid`, the
 * refresh-token family). Issue and expiry times come from the injected Clock, so tests move time
 * instead of waiting for a token to expire.
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

  sign(user: { id: string; role: UserRole }, loginId: string): Promise<string> {
    const iat = this.nowSeconds();
    const claims: AccessClaims = {
      sub: user.id,
      sid: loginId,
      role: user.role,
      typ: 'access',
      iat,
      exp: iat + this.ttlSeconds,
    };
    return this.jwt.signAsync(claims);
  }

  /**
   * The claims of a validly signed, unexpired access token whose subject and login are ids;
   * InvalidAccessTokenError otherwise (never a 500 for a signed token of an unexpected shape).
   */
  async verify(token: string): Promise<AccessTokenClaims> {
    let claims: Partial<AccessClaims>;
    try {
      claims = await this.jwt.verifyAsync<AccessClaims>(token, {
        algorithms: ['HS256'],
        clockTimestamp: this.nowSeconds(),
      });
    } catch {
      throw new InvalidAccessTokenError();
    }
    if (
      claims.typ !== 'access' ||
      !isUuid(claims.sub) ||
      !isUuid(claims.sid) ||
      typeof claims.iat !== 'number' ||
      typeof claims.exp !== 'number'
    ) {
      throw new InvalidAccessTokenError();
    }
    return {
      userId: claims.sub.toLowerCase(),
      loginId: claims.sid.toLowerCase(),
      role: claims.role === 'admin' ? 'admin' : 'user',
      issuedAt: new Date(claims.iat * 1000),
      expiresAt: new Date(claims.exp * 1000),
    };
  }
}
