import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { previewOpenApiDocument, renderOpenApiDocument } from './openapi-cli';

const CLIENT = join(__dirname, '..', 'clients', 'typescript');
const STALE = 'is stale: run `npm run client:generate` and commit the result';

/** CI fails when the committed client no longer matches the code (npm run client:generate). */
describe('the generated TypeScript client (clients/typescript)', () => {
  it('holds the OpenAPI document the code produces', async () => {
    const committed = readFileSync(join(CLIENT, 'openapi.json'), 'utf8');
    const current = renderOpenApiDocument(await previewOpenApiDocument());
    expect(current === committed ? 'fresh' : `clients/typescript/openapi.json ${STALE}`).toBe(
      'fresh',
    );
  });

  it('holds the types openapi-typescript makes of that document', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'sah-client-')), 'schema.d.ts');
    execFileSync(
      process.execPath,
      [
        join(__dirname, '..', 'node_modules', 'openapi-typescript', 'bin', 'cli.js'),
        join(CLIENT, 'openapi.json'),
        '--output',
        out,
      ],
      { stdio: 'pipe' },
    );
    const fresh =
      readFileSync(out, 'utf8') === readFileSync(join(CLIENT, 'src', 'schema.d.ts'), 'utf8');
    expect(fresh ? 'fresh' : `clients/typescript/src/schema.d.ts ${STALE}`).toBe('fresh');
  });
});
