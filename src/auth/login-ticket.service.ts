import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Clock } from '../common/time/clock';
import { isUuid } from '../common/uuid';
import { InvalidAccessTokenError } from './auth.errors';

const TTL_SECONDS = 120;

/** The audience of a ticket handed back to OAuth authorization interaction `uid`. */
export function oauthInteractionAudience(uid: string): string {
  return `oauth-interaction:${uid}`;
}

interface TicketClaims {
  sub: string;
  aud: string;
  typ: 'login_ticket';
  iat: number;
  exp: number;
}

/**
 * A short proof (HS256, 2 minutes) that a person just signed in, handed from one sign-in door to
 * the page that asked for it, e.g. from the Google login back to an OAuth authorization's
 * interaction (`audience` names that interaction). It is not a credential: no resolver accepts it.
 */
@Injectable()
export class LoginTicketService {
  constructor(
    private readonly jwt: JwtService,
    private readonly clock: Clock,
  ) {}

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }

  issue(userId: string, audience: string): Promise<string> {
    const iat = this.nowSeconds();
    const claims: TicketClaims = {
      sub: userId,
      aud: audience,
      typ: 'login_ticket',
      iat,
      exp: iat + TTL_SECONDS,
    };
    return this.jwt.signAsync(claims);
  }

  /** The user the ticket names, when it is valid, unexpired and for `audience`. */
  async verify(ticket: string, audience: string): Promise<string> {
    let claims: Partial<TicketClaims>;
    try {
      claims = await this.jwt.verifyAsync<TicketClaims>(ticket, {
        algorithms: ['HS256'],
        audience,
        clockTimestamp: this.nowSeconds(),
      });
    } catch {
      throw new InvalidAccessTokenError('Invalid or expired sign-in ticket');
    }
    if (claims.typ !== 'login_ticket' || !isUuid(claims.sub)) {
      throw new InvalidAccessTokenError('Invalid or expired sign-in ticket');
    }
    return claims.sub;
  }
}
