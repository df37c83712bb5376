/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';
import { bundleBudget } from './bundle-budget.mts';

const root = fileURLToPath(new URL('.', import.meta.url));
// `npm run dev:web`: the API runs with `npm run start:dev` (PORT, default 3000); vite proxies to it.
const api = `http://127.0.0.1:${process.env.API_PORT ?? '3000'}`;

const { version } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };

export default defineConfig({
  root,
  define: { __APP_VERSION__: JSON.stringify(version) },
  plugins: [react(), bundleBudget()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: {
      '/api': api,
      '/auth': api,
      '/health': api,
      '/socket.io': { target: api, ws: true },
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}', '*.test.ts'],
    setupFiles: ['src/test-setup.ts'],
    // Component tests render whole pages; on a shared 2-core machine 5 s is not always enough.
    testTimeout: 30_000,
  },
});
