import { withoutSecrets } from './audit-log.service';

describe('withoutSecrets', () => {
  it('drops secret-looking fields from an audit snapshot and keeps the rest', () => {
    expect(
      withoutSecrets({
        name: 'sora2',
        scopes: ['credits:check'],
        keyHash: 'abc',
        secret: 's',
        apiKey: 'x',
        password: 'p',
      }),
    ).toEqual({ name: 'sora2', scopes: ['credits:check'] });
  });

  it('keeps "no snapshot" as null', () => {
    expect(withoutSecrets(undefined)).toBeNull();
    expect(withoutSecrets(null)).toBeNull();
  });
});
