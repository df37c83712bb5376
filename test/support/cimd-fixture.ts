import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { CimdNetwork } from '../../src/oauth/cimd-network';
import { selfSignedCertificate } from './self-signed-cert';

/** The fixture's only network: its host name on loopback, its own certificate as the trusted CA. */
class FixtureNetwork extends CimdNetwork {
  constructor(
    private readonly hostname: string,
    override readonly ca: string[] | undefined,
  ) {
    super();
  }

  resolve(host: string): Promise<string[]> {
    return host === this.hostname
      ? Promise.resolve(['127.0.0.1'])
      : Promise.reject(new Error(`ENOTFOUND ${host}`));
  }

  allows(address: string): boolean {
    return address === '127.0.0.1';
  }
}

/**
 * An MCP client's web server: serves Client ID Metadata Documents over https (a self-signed
 * certificate made for the run) under a made-up host name. `network` is what the hub is started
 * with to reach it (`startTestApp({ cimdNetwork })`); `untrusted` is the same without trusting
 * its certificate.
 */
export async function startCimdFixture(hostname = 'mcp-client.example.test') {
  const { key, cert } = selfSignedCertificate(hostname);
  const documents = new Map<string, unknown>();
  const fetched: string[] = [];
  const server = createServer({ key, cert }, (req, res) => {
    fetched.push(req.url ?? '');
    const document = documents.get(req.url ?? '');
    if (document === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `https://${hostname}:${(server.address() as AddressInfo).port}`;
  return {
    network: new FixtureNetwork(hostname, [cert]),
    untrusted: new FixtureNetwork(hostname, undefined),
    /** The paths the hub asked for, in order. */
    fetched,
    /** Serves `document(url)` at `path`; answers the URL (the client_id). */
    serve(path: string, document: (url: string) => unknown): string {
      const url = `${origin}${path}`;
      documents.set(path, document(url));
      return url;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
