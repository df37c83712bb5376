import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorResponseDto } from '../http/error-response.dto';

const ERROR_CONTENT = { 'application/json': { schema: { $ref: getSchemaPath(ErrorResponseDto) } } };

/**
 * Every error the API answers has the one shape of ErrorResponseDto (the exception filter makes
 * sure of it), so an error response a route declares without a body schema gets that one, and
 * every operation gets a `default` response saying so (400, 429 and 503 can come from any route).
 */
function declareErrorShape(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const operation of [item.get, item.put, item.post, item.delete, item.patch]) {
      if (!operation) continue;
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) >= 400 && response && 'description' in response && !response.content) {
          response.content = ERROR_CONTENT;
        }
      }
      operation.responses.default ??= {
        description: 'Any error: {statusCode, error, message, requestId}',
        content: ERROR_CONTENT,
      };
    }
  }
}

/**
 * The OpenAPI document of the app: served at /api/docs-json, written to
 * clients/typescript/openapi.json by `npm run client:generate`, walked by test/contract.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Smart AI Hub')
      .setDescription('Auth, VERIFIED sessions, credits and model chat for AI services.')
      .setVersion('1.0')
      .addBearerAuth()
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Session-Token' }, 'session-token')
      .build(),
    { extraModels: [ErrorResponseDto] },
  );
  declareErrorShape(document);
  return document;
}
