import { request } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { CimdNetwork } from './cimd-network';

/** Time limit of one Client ID Metadata Document fetch (its size limit is the provider's, 5 KB). */
export const CIMD_FETCH_TIMEOUT_MS = 2_500;

type Checked = { addresses: string[] } | { refusal: string };

/**
 * SSRF guard for Client ID Metadata Documents (MCP clients name a URL as their client_id and the
 * server fetches it): the URL's host must resolve only to addresses the `CimdNetwork` allows
 * (public ones in production), checked after DNS resolution; the fetch then connects only to the
 * addresses it checked, so a DNS answer that changes in between (rebinding) is never used. One
 * GET, no redirects, within 2.5 s (and 5 KB, the provider's limit).
 */
@Injectable()
export class CimdGuard {
  private readonly logger = new Logger(CimdGuard.name);

  constructor(private readonly network: CimdNetwork) {}

  async allowFetch(clientId: string): Promise<boolean> {
    const reason = await this.refusal(clientId);
    if (reason) this.logger.warn({ client_id: clientId, reason }, 'Client metadata fetch refused');
    return reason === undefined;
  }

  /** Why fetching `url` is refused, or undefined. */
  async refusal(url: string): Promise<string | undefined> {
    const checked = await this.check(url);
    return 'refusal' in checked ? checked.refusal : undefined;
  }

  /** The provider's outgoing fetch (`options`: its method, headers and redirect: 'manual'). */
  async fetch(url: URL | string, options: RequestInit): Promise<Response> {
    const target = new URL(url);
    const checked = await this.check(target.href);
    if ('refusal' in checked) throw new Error(`client metadata fetch refused: ${checked.refusal}`);
    const addresses = checked.addresses.map((address) => ({ address, family: isIP(address) }));
    const checkedOnly: LookupFunction = (_host, lookup, callback) =>
      lookup.all
        ? callback(null, addresses)
        : callback(null, addresses[0].address, addresses[0].family);
    return new Promise((resolve, reject) => {
      const req = request(
        target,
        {
          method: options.method ?? 'GET',
          headers: Object.fromEntries(new Headers(options.headers)),
          lookup: checkedOnly,
          ca: this.network.ca,
          agent: false,
          signal: AbortSignal.timeout(CIMD_FETCH_TIMEOUT_MS),
        },
        (res) => {
          if (res.statusCode !== 200) {
            res.destroy();
            return reject(new Error(`unexpected response status ${res.statusCode}`));
          }
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const one of [value ?? []].flat()) headers.append(name, one);
          }
          resolve(new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, { headers }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  private async check(url: string): Promise<Checked> {
    const parsed = URL.parse(url);
    if (!parsed || parsed.protocol !== 'https:') return { refusal: 'not an https URL' };
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    try {
      addresses = isIP(host) ? [host] : await this.network.resolve(host);
    } catch {
      return { refusal: 'the host does not resolve' };
    }
    if (addresses.length === 0) return { refusal: 'the host does not resolve' };
    const bad = addresses.find((address) => !this.network.allows(address));
    return bad ? { refusal: `the host resolves to a refused address (${bad})` } : { addresses };
  }
}
