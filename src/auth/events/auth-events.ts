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

export interface AuthEventMap {
  'user.signed_up': UserSignedUpEvent;
}

/**
 * What the Auth module tells the modules above it. Credits listens to `user.signed_up` to open
 * the credit account in the same transaction, so Auth never imports Credits.
 */
@Injectable()
export class AuthEvents extends TypedEvents<AuthEventMap> {}
