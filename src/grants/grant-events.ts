import { Injectable } from '@nestjs/common';
import { TypedEvents } from '../common/events/typed-events';
import type { GrantClientType } from './grant';

/** A grant ended (the user or an admin revoked it); published after the commit. */
export interface GrantRevokedEvent {
  grantId: string;
  userId: string;
  clientType: GrantClientType;
  clientId: string;
  /** oidc-provider's grant behind an OAuth consent: its tokens are destroyed. */
  oidcGrantId: string | null;
}

export interface GrantEventMap {
  'grant.revoked': GrantRevokedEvent;
}

/** What the Grants module tells the modules above it (OAuth ends tokens, Mcp ends sockets). */
@Injectable()
export class GrantEvents extends TypedEvents<GrantEventMap> {}
