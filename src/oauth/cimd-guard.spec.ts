import { CimdGuard } from './cimd-guard';
import { isPrivateAddress, PublicInternet } from './cimd-network';

/** The production address rule, with DNS answered from a table. */
function guard(dns: Record<string, string[]>): CimdGuard {
  const network = new PublicInternet();
  network.resolve = (host) =>
    host in dns ? Promise.resolve(dns[host]) : Promise.reject(new Error('ENOTFOUND'));
  return new CimdGuard(network);
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
    const g = guard({
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

  it('never connects for a refused URL', async () => {
    const g = guard({ 'internal.example': ['192.168.0.10'] });
    await expect(g.fetch('https://internal.example/c.json', {})).rejects.toThrow(
      /refused: the host resolves to a refused address \(192\.168\.0\.10\)/,
    );
    await expect(g.fetch('https://127.0.0.1/c.json', {})).rejects.toThrow(/refused/);
  });
});
