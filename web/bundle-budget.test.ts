import { describe, expect, it } from 'vitest';
import { bundleBudget, initialChunks, type ChunkInfo } from './bundle-budget.mts';

const chunk = (fileName: string, imports: string[], extra: Partial<ChunkInfo> = {}): ChunkInfo => ({
  fileName,
  code: `/* ${fileName} */ ${'x'.repeat(50)}`,
  isEntry: false,
  facadeModuleId: null,
  imports,
  ...extra,
});

const bundle = [
  chunk('index.js', ['react.js'], { isEntry: true }),
  chunk('react.js', []),
  chunk('Dashboard.js', ['card.js', 'react.js'], {
    facadeModuleId: '/app/web/src/pages/Dashboard.tsx',
  }),
  chunk('card.js', ['react.js']),
  // Loaded with import() from the dashboard: not among its static imports.
  chunk('BarChart.js', ['react.js'], { facadeModuleId: '/app/web/src/components/UsageChart.tsx' }),
];

describe('initialChunks', () => {
  it('is the entry, the page and what they import statically, each once', () => {
    const names = initialChunks(bundle, 'src/pages/Dashboard.tsx').map((c) => c.fileName);
    expect(names.sort()).toEqual(['Dashboard.js', 'card.js', 'index.js', 'react.js']);
    expect(initialChunks(bundle, null).map((c) => c.fileName)).toEqual(['index.js', 'react.js']);
  });

  it('refuses a page that has no chunk of its own (a typo or a page no longer lazy)', () => {
    expect(() => initialChunks(bundle, 'src/pages/Nope.tsx')).toThrow(/No chunk is built/);
  });
});

describe('bundleBudget', () => {
  it('fails the build when a page is over its budget', () => {
    const plugin = bundleBudget({ '/dashboard': { module: 'src/pages/Dashboard.tsx', kb: 0.1 } });
    const info: string[] = [];
    const context = {
      info: (m: string) => info.push(m),
      error: (m: string) => {
        throw new Error(m);
      },
    };
    const asBundle = Object.fromEntries(bundle.map((c) => [c.fileName, { ...c, type: 'chunk' }]));
    const run = () =>
      (plugin.generateBundle as unknown as (this: unknown, o: unknown, b: unknown) => void).call(
        context,
        {},
        asBundle,
      );
    expect(run).toThrow(/\/dashboard loads [\d.]+ kB of gzipped JS \(budget 0.1\)/);
    expect(info[0]).toMatch(/^\/dashboard: [\d.]+ kB/);
  });
});
