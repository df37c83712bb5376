import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { buildOpenApiDocument } from './common/openapi/openapi-document';
import { loadAppConfig } from './config/app-config';

/**
 * Writes the OpenAPI document without a database or Redis: Nest's preview mode registers every
 * controller's routes and metadata but instantiates no provider, so nothing connects.
 * `node dist/src/openapi-cli.js <file>` (npm run client:generate).
 */
async function main(target: string): Promise<void> {
  const config = loadAppConfig({
    NODE_ENV: 'test',
    DATABASE_URL: 'postgres://preview@127.0.0.1/none',
  });
  const app = await NestFactory.create(AppModule.forRoot(config), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`);
  await app.close();
}

main(process.argv[2] ?? 'openapi.json').catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
