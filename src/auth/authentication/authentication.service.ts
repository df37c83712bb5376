import { Injectable, OnModuleInit } from '@nestjs/common';
import { AccountDisabledError, InvalidAccessTokenError } from '../auth.errors';
import { AccessTokenResolver } from './access-token.resolver';
import type {
  AuthenticationContext,
  Caller,
  CredentialCarrier,
  CredentialKind,
  CredentialResolver,
  PresentedCredential,
  ResolvedCredential,
  UserCaller,
} from './caller';

/**
 * Who is calling, for every credential the hub accepts and every door it comes through: the HTTP
 * guards and the Socket.IO handshake all ask here. One resolver per credential kind (access
 * tokens here; VERIFIED sessions and integration keys register theirs from their modules, which
 * sit above Auth), and the rules every credential shares are applied once, here: a disabled
 * account is refused whatever it presents.
 */
@Injectable()
export class AuthenticationService {
  private readonly resolvers: CredentialResolver[] = [];

  constructor(accessTokens: AccessTokenResolver) {
    this.register(accessTokens);
  }

  /** Adds the resolver of one more credential kind (modules call this when they start). */
  register(resolver: CredentialResolver): void {
    if (this.resolvers.some((r) => r.kind === resolver.kind)) {
      throw new Error(`A resolver for ${resolver.kind} is already registered`);
    }
    this.resolvers.push(resolver);
  }

  /**
   * The caller behind `credential`, when it is of one of the `accept`ed kinds. Throws the
   * credential's own error (malformed, unknown, expired, revoked), or `AccountDisabledError`.
   */
  async authenticate(
    credential: PresentedCredential,
    context: AuthenticationContext,
    accept: readonly CredentialKind[],
  ): Promise<Caller> {
    const resolver = this.resolvers.find(
      (r) =>
        accept.includes(r.kind) &&
        r.carrier === credential.carrier &&
        r.recognizes(credential.value),
    );
    if (!resolver) throw new InvalidAccessTokenError();
    const resolved = await resolver.resolve(credential.value, context);
    if (resolved.type === 'integration') return { ...resolved, credential: resolver.kind };
    const { status, ...caller } = resolved;
    if (status !== 'active') throw new AccountDisabledError(resolver.kind);
    return { ...caller, credential: resolver.kind };
  }

  /** `authenticate` for doors only people use (a user credential is all `accept` may name). */
  async authenticateUser(
    credential: PresentedCredential,
    context: AuthenticationContext,
    accept: readonly CredentialKind[],
  ): Promise<UserCaller> {
    const caller = await this.authenticate(credential, context, accept);
    if (caller.type !== 'user') throw new InvalidAccessTokenError();
    return caller;
  }
}

/**
 * A resolver of a module above Auth: it registers itself with AuthenticationService when its
 * module starts. By default it reads every value its carrier brings.
 */
export abstract class RegisteredResolver implements CredentialResolver, OnModuleInit {
  abstract readonly kind: CredentialKind;
  abstract readonly carrier: CredentialCarrier;

  constructor(private readonly authentication: AuthenticationService) {}

  onModuleInit(): void {
    this.authentication.register(this);
  }

  recognizes(_value: string): boolean {
    return true;
  }

  abstract resolve(value: string, context: AuthenticationContext): Promise<ResolvedCredential>;
}
