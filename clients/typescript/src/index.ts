import createClient, { type ClientOptions } from 'openapi-fetch';
import type { components, operations, paths } from './schema';

export type { components, operations, paths };

/** Every request and response body of the API by name, e.g. `Schemas['DeductResultDto']`. */
export type Schemas = components['schemas'];

/**
 * A typed client of the hub's REST API (openapi-fetch over the generated `paths`): every path,
 * parameter, body and answer is checked by the compiler.
 *
 * ```ts
 * const hub = createHubClient({ baseUrl: 'https://hub.example.com', headers: { 'X-API-Key': key } });
 * const { data, error } = await hub.POST('/api/mcp/v1/credits/check', {
 *   params: { header: { 'X-User-ID': userId } },
 *   body: { service: 'sora2-video-generation', cost: 30 },
 * });
 * ```
 */
export function createHubClient(options: ClientOptions & { baseUrl: string }) {
  return createClient<paths>(options);
}

export type HubClient = ReturnType<typeof createHubClient>;

/** The chat socket's events and payloads (`/mcp`); `HubChatSocket` is in `./socket`. */
export * from './chat-socket';
