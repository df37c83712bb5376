import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { buildOpenApiDocument } from './common/openapi/openapi-document';
import { loadAppConfig } from './config/app-config';

/**
 * The OpenAPI document without a database or Redis: Nest's preview mode registers every
 * controller's routes and metadata but instantiates no provider, so nothing connects.
 */
export async function previewOpenApiDocument(): Promise<OpenAPIObject> {
  const config = loadAppConfig({
    NODE_ENV: 'test',
    DATABASE_URL: 'postgres://preview@127.0.0.1/none',
  });
  const app = await NestFactory.create(AppModule.forRoot(config), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
}

/** The document as committed in clients/typescript/openapi.json. */
export function renderOpenApiDocument(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** `node dist/src/openapi-cli.js <file>` (npm run client:generate). */
if (require.main === module) {
  previewOpenApiDocument()
    .then((document) =>
      writeFileSync(process.argv[2] ?? 'openapi.json', renderOpenApiDocument(document)),
    )
    .catch((error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    });
}
