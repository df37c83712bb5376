import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

/** Resolves a host name to every address it has (injectable for tests). */
export type HostResolver = (host: string) => Promise<string[]>;

const systemResolver: HostResolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** Addresses a fetched document may never come from: private, loopback, link-local, special use. */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return PRIVATE.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE.check(mapped[1], 'ipv4');
  return PRIVATE.check(address, 'ipv6');
}

/** Time and size limits of one Client ID Metadata Document fetch. */
export const CIMD_FETCH_TIMEOUT_MS = 2_500;

/**
 * SSRF guard for Client ID Metadata Documents (MCP clients name a URL as their client_id and the
 * server fetches it): the URL's host must resolve only to public addresses (checked after DNS
 * resolution; oidc-provider's own dispatcher also drops a connection that lands on a special-use
 * address, which covers a DNS answer that changes between the check and the connect), within
 * 2.5 s and 5 KB (the provider's limits). OAUTH_CIMD_ALLOW_PRIVATE lifts the address rule (tests,
 * never production).
 */
@Injectable()
export class CimdGuard {
  private readonly logger = new Logger(CimdGuard.name);
  private resolver: HostResolver = systemResolver;

  constructor(private readonly config: AppConfig) {}

  /** Tests: answer DNS from a table. */
  useResolver(resolver: HostResolver): void {
    this.resolver = resolver;
  }

  async allowFetch(clientId: string): Promise<boolean> {
    if (this.config.oauth.cimdAllowPrivate) return true;
    const reason = await this.refusal(clientId);
    if (reason) this.logger.warn({ client_id: clientId, reason }, 'Client metadata fetch refused');
    return reason === undefined;
  }

  /** Why fetching `url` is refused, or undefined. */
  async refusal(url: string): Promise<string | undefined> {
    const parsed = URL.parse(url);
    if (!parsed || parsed.protocol !== 'https:') return 'not an https URL';
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    try {
      addresses = isIP(host) ? [host] : await this.resolver(host);
    } catch {
      return 'the host does not resolve';
    }
    if (addresses.length === 0) return 'the host does not resolve';
    const bad = addresses.find(isPrivateAddress);
    return bad ? `the host resolves to a private address (${bad})` : undefined;
  }

  /** The provider's outgoing fetch; with private addresses allowed, without its address check. */
  fetch(url: URL | string, options: RequestInit & { dispatcher?: unknown }): Promise<Response> {
    if (this.config.oauth.cimdAllowPrivate) delete options.dispatcher;
    options.signal = AbortSignal.timeout(CIMD_FETCH_TIMEOUT_MS);
    return fetch(url, options);
  }
}
