import net from 'node:net';

/**
 * setupFilesAfterEnv of jest's `unit` project: unit tests run without PostgreSQL and Redis, so a connection
 * to either (their default ports, or those of DATABASE_URL / REDIS_URL) fails at once, naming the
 * mistake, instead of quietly using the machine's shared servers. A test that needs them belongs
 * in test/ as an e2e test. Undone after each file: jest's workers also run e2e files.
 */
const ports = new Set([5432, 6379]);
for (const url of [process.env.DATABASE_URL, process.env.REDIS_URL]) {
  const port = url ? Number(new URL(url).port) : 0;
  if (port) ports.add(port);
}

function portOf(args: unknown[]): number | undefined {
  // net.createConnection passes [options, callback] as one normalized array.
  const first: unknown = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (typeof first === 'object' && first !== null && 'port' in first) {
    return Number(first.port);
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    return Number(first);
  }
  return undefined;
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  const port = portOf(args);
  if (port !== undefined && ports.has(port)) {
    throw new Error(
      `a unit test (src/**/*.spec.ts) tried to reach port ${port} (PostgreSQL or Redis): ` +
        'use a fake there, or make it an e2e test in test/',
    );
  }
  return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
};
afterAll(() => {
  net.Socket.prototype.connect = connect;
});
