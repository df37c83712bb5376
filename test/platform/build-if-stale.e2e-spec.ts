import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isStale } from '../../scripts/build-if-stale';

/** Issue 13: `npm start` rebuilt every time (7 s of a 9–16 s start); now only when stale. */
describe("npm start's build step (scripts/build-if-stale.js)", () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'sah-stale-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** Writes `file` under the root with the given modification time (seconds since the epoch). */
  function put(file: string, mtime: number): void {
    const path = join(root, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '');
    // A folder's time changes when an entry is added or removed, which counts as a change too.
    for (let p = path; p !== root; p = dirname(p)) utimesSync(p, mtime, mtime);
  }
  const T = 1_700_000_000;

  it('builds when nothing was built yet', () => {
    put('src/main.ts', T);
    expect(isStale(root)).toBe(true);
  });

  it('starts without a build when both halves are newer than every source', () => {
    put('src/deep/folder/service.ts', T);
    put('web/src/App.tsx', T);
    put('package-lock.json', T);
    put('dist/src/main.js', T + 10);
    put('dist/web/index.html', T + 10);
    expect(isStale(root)).toBe(false);
  });

  it('builds when a server source, a web source or the lock file changed since', () => {
    for (const changed of ['src/deep/folder/service.ts', 'web/src/App.tsx', 'package-lock.json']) {
      put('src/deep/folder/service.ts', T);
      put('web/src/App.tsx', T);
      put('package-lock.json', T);
      put('dist/src/main.js', T + 10);
      put('dist/web/index.html', T + 10);
      put(changed, T + 20);
      expect(isStale(root)).toBe(true);
    }
  });

  it('builds when only the web half is missing', () => {
    put('src/main.ts', T);
    put('dist/src/main.js', T + 10);
    expect(isStale(root)).toBe(true);
  });
});
