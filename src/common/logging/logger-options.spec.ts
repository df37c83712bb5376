import { redactUrl } from './logger-options';

describe('redactUrl', () => {
  it('hides credential-bearing query parameters and keeps the rest', () => {
    expect(redactUrl('/api/auth/google/callback?code=4%2Fabc&state=s3cr3t&scope=email')).toBe(
      '/api/auth/google/callback?code=%5BREDACTED%5D&state=%5BREDACTED%5D&scope=email',
    );
  });

  it('leaves URLs without a query alone', () => {
    expect(redactUrl('/health/ready')).toBe('/health/ready');
  });
});
