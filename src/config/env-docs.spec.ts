import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderEnvExample, renderMarkdownTable } from './env-docs';

const root = join(__dirname, '..', '..');

describe('configuration documents', () => {
  it('.env.example lists exactly the variables of the schema (run `npm run config:docs`)', () => {
    expect(readFileSync(join(root, '.env.example'), 'utf8')).toBe(`${renderEnvExample()}\n`);
  });

  it("README's configuration table is the schema's (run `npm run config:docs -- markdown`)", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const table = /<!-- config-table:start -->\n([\s\S]*?)\n<!-- config-table:end -->/.exec(readme);
    expect(table?.[1]).toBe(renderMarkdownTable());
  });
});
