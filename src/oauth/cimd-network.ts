import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

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

/**
 * Where Client ID Metadata Documents may be fetched from: how a host name resolves, which
 * addresses are allowed, which certificate authorities are trusted. The app runs on
 * `PublicInternet`; an end-to-end test provides its own (`createApp(config, { cimdNetwork })`) to
 * serve a document from a local https fixture. No configuration setting lifts the address rule.
 */
export abstract class CimdNetwork {
  /** Every address `host` resolves to. */
  abstract resolve(host: string): Promise<string[]>;
  /** Whether a document may be fetched from `address`. */
  abstract allows(address: string): boolean;
  /** The certificate authorities (PEM) trusted instead of Node's bundled ones; unset: those. */
  readonly ca?: string[];
}

/** Production: the system's DNS, public addresses only, Node's bundled certificate authorities. */
export class PublicInternet extends CimdNetwork {
  async resolve(host: string): Promise<string[]> {
    return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  }

  allows(address: string): boolean {
    return !isPrivateAddress(address);
  }
}
