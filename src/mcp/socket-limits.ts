import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

export type Admission = { ok: true; release: () => void } | { ok: false; message: string };

/**
 * Open `/mcp` sockets per user and per client address on this instance
 * (MCP_MAX_SOCKETS_PER_USER, MCP_MAX_SOCKETS_PER_IP). Counting and admitting happen in one
 * synchronous step, so parallel handshakes can never together pass a limit.
 */
@Injectable()
export class SocketLimits {
  private readonly perUser = new Map<string, number>();
  private readonly perIp = new Map<string, number>();
  private readonly maxPerUser: number;
  private readonly maxPerIp: number;

  constructor(config: AppConfig) {
    this.maxPerUser = config.mcp.maxSocketsPerUser;
    this.maxPerIp = config.mcp.maxSocketsPerIp;
  }

  /** Admits one more socket of this user from this address, or says which limit refuses it. */
  admit(userId: string, ip: string): Admission {
    if ((this.perIp.get(ip) ?? 0) >= this.maxPerIp) {
      return {
        ok: false,
        message: `too many connections from this address (at most ${this.maxPerIp})`,
      };
    }
    if ((this.perUser.get(userId) ?? 0) >= this.maxPerUser) {
      return {
        ok: false,
        message: `too many connections for this user (at most ${this.maxPerUser})`,
      };
    }
    increment(this.perIp, ip);
    increment(this.perUser, userId);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        decrement(this.perIp, ip);
        decrement(this.perUser, userId);
      },
    };
  }
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function decrement(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
}
