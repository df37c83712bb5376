import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TypedEvents } from '../../common/events/typed-events';
import type { User } from '../entities/user.entity';

/** A new account, inside the transaction that creates it (emitted, awaited). */
export interface UserSignedUpEvent {
  user: User;
  /** The sign-up transaction: what a listener writes with it commits or rolls back with the user. */
  tx: EntityManager;
}

/** An address became verified (a mailed code, or Google vouching for it), inside that transaction. */
export interface EmailVerifiedEvent {
  userId: string;
  tx: EntityManager;
}

/**
 * One login ended: a refresh-token family (logout, refresh-token reuse, disabled account), or an
 * app's OAuth access token or token family (revoked, refresh-token reuse; published by OAuth).
 */
export interface LoginRevokedEvent {
  userId: string;
  loginId: string;
  reason: string;
}

/** Every credential of the user ended (password reset, account recovery). */
export interface UserSignedOutEverywhereEvent {
  userId: string;
  reason: string;
}

export interface AuthEventMap {
  'user.signed_up': UserSignedUpEvent;
  /** Emitted (awaited) once per user, when email_verified turns true. */
  'user.email_verified': EmailVerifiedEvent;
  /** Published after the revocation committed. */
  'login.revoked': LoginRevokedEvent;
  /** Emitted (awaited) after Auth's part committed: Session revokes the VERIFIED sessions. */
  'user.signed_out_everywhere': UserSignedOutEverywhereEvent;
}

/**
 * What the Auth module tells the modules above it, so it never imports them: Credits opens the
 * credit account on `user.signed_up`; Session ends the VERIFIED sessions and the chat gateway
 * disconnects sockets on `user.signed_out_everywhere`; the gateway re-checks a user's sockets on
 * `login.revoked`.
 */
@Injectable()
export class AuthEvents extends TypedEvents<AuthEventMap> {}
