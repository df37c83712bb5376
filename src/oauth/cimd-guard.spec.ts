import type { AppConfig } from '../config/app-config';
import { CimdGuard, isPrivateAddress } from './cimd-guard';

function guard(allowPrivate = false, dns: Record<string, string[]> = {}): CimdGuard {
  const g = new CimdGuard({ oauth: { cimdAllowPrivate: allowPrivate } } as AppConfig);
  g.useResolver((host) =>
    host in dns ? Promise.resolve(dns[host]) : Promise.reject(new Error('ENOTFOUND')),
  );
  return g;
}

describe('CimdGuard (SSRF guard of Client ID Metadata Document fetches)', () => {
  it('knows private, loopback, link-local and special-use addresses', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      'not-an-ip',
    ]) {
      expect([address, isPrivateAddress(address)]).toEqual([address, true]);
    }
    for (const address of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '8.8.8.8']) {
      expect([address, isPrivateAddress(address)]).toEqual([address, false]);
    }
  });

  it('decides after DNS resolution: every address of the host must be public', async () => {
    const g = guard(false, {
      'app.example': ['93.184.216.34'],
      'rebind.example': ['93.184.216.34', '10.0.0.5'],
      'internal.example': ['192.168.0.10'],
      'empty.example': [],
    });
    await expect(g.allowFetch('https://app.example/client.json')).resolves.toBe(true);
    await expect(g.refusal('https://rebind.example/c.json')).resolves.toMatch(/10\.0\.0\.5/);
    await expect(g.allowFetch('https://internal.example/c.json')).resolves.toBe(false);
    await expect(g.allowFetch('https://empty.example/c.json')).resolves.toBe(false);
    await expect(g.allowFetch('https://unknown.example/c.json')).resolves.toBe(false);
    await expect(g.allowFetch('https://[::1]/c.json')).resolves.toBe(false);
    await expect(g.allowFetch('http://app.example/c.json')).resolves.toBe(false);
  });

  it('OAUTH_CIMD_ALLOW_PRIVATE lifts the address rule (tests only; refused in production)', async () => {
    await expect(guard(true).allowFetch('https://127.0.0.1/c.json')).resolves.toBe(true);
  });
});
