import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../config/app-config';
import { InvalidAccessTokenError } from './auth.errors';
import { UserRole } from './entities/user.entity';

interface AccessClaims {
  sub: string;
  role: UserRole;
  typ: 'access';
}

/** Short-lived HS256 JWTs (JWT_SECRET, JWT_ACCESS_TTL). */
@Injectable()
export class AccessTokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  get ttlSeconds(): number {
    return this.config.auth.accessTokenTtlSeconds;
  }

  sign(user: { id: string; role: UserRole }): Promise<string> {
    const claims: AccessClaims = { sub: user.id, role: user.role, typ: 'access' };
    return this.jwt.signAsync(claims);
  }

  /** The claims of a valid, unexpired token; InvalidAccessTokenError otherwise. */
  async verify(token: string): Promise<{ userId: string; role: UserRole }> {
    try {
      const claims = await this.jwt.verifyAsync<AccessClaims>(token);
      if (claims.typ !== 'access' || typeof claims.sub !== 'string') {
        throw new InvalidAccessTokenError();
      }
      return { userId: claims.sub, role: claims.role };
    } catch {
      throw new InvalidAccessTokenError();
    }
  }
}
