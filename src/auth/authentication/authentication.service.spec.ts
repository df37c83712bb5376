import { AccountDisabledError, InvalidAccessTokenError } from '../auth.errors';
import type { AccessTokenResolver } from './access-token.resolver';
import { AuthenticationService } from './authentication.service';
import type { CredentialResolver, ResolvedCredential } from './caller';

const user = (status: 'active' | 'disabled'): ResolvedCredential => ({
  type: 'user',
  user: { id: 'u1', email: 'a@example.com', name: 'A' },
  role: 'user',
  status,
  credentialId: 'login-1',
  expiresAt: new Date('2026-01-01T00:15:00Z'),
});

function resolver(
  kind: CredentialResolver['kind'],
  carrier: CredentialResolver['carrier'],
  answer: ResolvedCredential,
  recognizes: (value: string) => boolean = () => true,
): CredentialResolver & { calls: string[] } {
  const calls: string[] = [];
  return {
    kind,
    carrier,
    calls,
    recognizes,
    resolve: (value) => {
      calls.push(value);
      return Promise.resolve(answer);
    },
  };
}

describe('AuthenticationService', () => {
  const jwt = resolver('access_token', 'bearer', user('active'), (v) => v.startsWith('eyJ'));
  const service = new AuthenticationService(jwt as unknown as AccessTokenResolver);
  const session = resolver('session', 'session_token', user('disabled'));
  service.register(session);
  service.register(
    resolver('integration_key', 'api_key', {
      type: 'integration',
      integration: { id: 'k1', name: 'sora2', scopes: ['credits:check'], userScope: 'all' },
      credentialId: 'k1',
    }),
  );

  it('hands a credential to the resolver of its carrier and kind, and names the kind', async () => {
    await expect(
      service.authenticate({ carrier: 'bearer', value: 'eyJ.a.b' }, {}, ['access_token']),
    ).resolves.toMatchObject({ type: 'user', credential: 'access_token', credentialId: 'login-1' });
    await expect(
      service.authenticate({ carrier: 'api_key', value: 'sah_x' }, {}, ['integration_key']),
    ).resolves.toMatchObject({ type: 'integration', credential: 'integration_key' });
    expect(jwt.calls).toEqual(['eyJ.a.b']);
  });

  it('refuses a credential no accepted resolver recognises (another shape, another kind)', async () => {
    await expect(
      service.authenticate({ carrier: 'bearer', value: 'opaque' }, {}, ['access_token']),
    ).rejects.toThrow(InvalidAccessTokenError);
    await expect(
      service.authenticate({ carrier: 'api_key', value: 'sah_x' }, {}, ['access_token']),
    ).rejects.toThrow(InvalidAccessTokenError);
    await expect(
      service.authenticateUser({ carrier: 'api_key', value: 'sah_x' }, {}, ['integration_key']),
    ).rejects.toThrow(InvalidAccessTokenError);
  });

  it('decides "disabled" once for every kind: 401 with the contract label for sessions, else 403', async () => {
    const refusal = await service
      .authenticate({ carrier: 'session_token', value: 'VERIFIED-x' }, {}, ['session'])
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(AccountDisabledError);
    expect(refusal).toMatchObject({ kind: 'unauthenticated', errorLabel: 'User account disabled' });
    const other = new AuthenticationService(
      resolver('access_token', 'bearer', user('disabled')) as unknown as AccessTokenResolver,
    );
    await expect(
      other.authenticate({ carrier: 'bearer', value: 'eyJ.a.b' }, {}, ['access_token']),
    ).rejects.toMatchObject({ kind: 'forbidden', message: 'This account is disabled' });
  });

  it('refuses a second resolver for the same kind', () => {
    expect(() => service.register(resolver('session', 'session_token', user('active')))).toThrow(
      /already registered/,
    );
  });
});
