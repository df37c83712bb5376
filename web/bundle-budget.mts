import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** What a page must download before it can show anything: kB (1,000 bytes) of gzipped JS. */
export const BUDGETS: Record<string, { module: string | null; kb: number }> = {
  // The shell: sign-in, sign-up and every other page that is not loaded on demand.
  '/signin': { module: null, kb: 200 },
  '/dashboard': { module: 'src/pages/Dashboard.tsx', kb: 200 },
};

export interface ChunkInfo {
  fileName: string;
  code: string;
  isEntry: boolean;
  facadeModuleId: string | null;
  /** Static imports only: what `import()` loads comes later, on demand. */
  imports: string[];
}

/** The chunks a page loads before it runs: the entry, the page's chunk, and their static imports. */
export function initialChunks(chunks: ChunkInfo[], module: string | null): ChunkInfo[] {
  const byName = new Map(chunks.map((c) => [c.fileName, c]));
  const starts = chunks.filter(
    (c) => c.isEntry || (module !== null && c.facadeModuleId?.endsWith(`/${module}`)),
  );
  if (module !== null && starts.every((c) => c.isEntry)) {
    throw new Error(`No chunk is built from ${module}: is it still loaded with import()?`);
  }
  const seen = new Map<string, ChunkInfo>();
  const visit = (chunk: ChunkInfo) => {
    if (seen.has(chunk.fileName)) return;
    seen.set(chunk.fileName, chunk);
    for (const name of chunk.imports) {
      const next = byName.get(name);
      if (next) visit(next);
    }
  };
  starts.forEach(visit);
  return [...seen.values()];
}

export function gzippedKb(chunks: ChunkInfo[]): number {
  const bytes = chunks.reduce((sum, c) => sum + gzipSync(c.code, { level: 9 }).length, 0);
  return Math.round(bytes / 100) / 10;
}

/**
 * Fails `npm run build` when a page's initial JavaScript grows over its budget (issue 17: the
 * first page ≤ 200 kB gzipped), and prints every page's figure.
 */
export function bundleBudget(budgets = BUDGETS): Plugin {
  return {
    name: 'bundle-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).flatMap((c) => (c.type === 'chunk' ? [c] : []));
      const over: string[] = [];
      for (const [page, budget] of Object.entries(budgets)) {
        const kb = gzippedKb(initialChunks(chunks, budget.module));
        this.info(`${page}: ${kb} kB of gzipped JS before it shows (budget ${budget.kb} kB)`);
        if (kb > budget.kb) over.push(`${page} loads ${kb} kB of gzipped JS (budget ${budget.kb})`);
      }
      if (over.length) this.error(`JavaScript over budget: ${over.join('; ')}`);
    },
  };
}
