import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Ports handed out here lie in [FLOOR, the kernel's first ephemeral port). */
const FLOOR = 20_000;

/**
 * The first port the kernel gives to outgoing connections and to `listen(0)`. A port taken from
 * that range can be handed to a client socket (a pg or fetch connection of a parallel test) in the
 * moment between the check and the server's own `listen`, which then fails with EADDRINUSE.
 */
function firstEphemeralPort(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/);
    return Number(low) > FLOOR + 1_000 ? Number(low) : 32_768;
  } catch {
    return 32_768;
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port that was free a moment ago, for a server whose URL must be configured before it
 * starts. Chosen at random below the ephemeral range, so only another test's server could take it.
 */
export async function freePort(): Promise<number> {
  const ceiling = firstEphemeralPort();
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = FLOOR + Math.floor(Math.random() * (ceiling - FLOOR));
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port found in [${FLOOR}, ${ceiling})`);
}
