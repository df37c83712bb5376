import { createHubClient, type Schemas } from '../src';

export interface Sora2FlowInput {
  baseUrl: string;
  /** The integration key (scopes credits:check and credits:deduct). */
  apiKey: string;
  /** The VERIFIED-… code the user pasted into ChatGPT. */
  sessionToken: string;
  /** What the video will cost at most, and what it cost in the end. */
  estimate: number;
  actual: number;
}

export interface Sora2FlowResult {
  user: Schemas['VerifySessionResultDto']['user'];
  check: Schemas['CheckResultDto'];
  hold: Schemas['HoldDto'];
  capture: Schemas['CaptureResultDto'];
}

/**
 * The Sora2 flow: verify the user's code → check the credits → hold the estimate while the video
 * renders → capture what it actually cost (the rest of the hold is freed). Each error answer is
 * the hub's envelope `{statusCode, error, message, requestId}`.
 */
export async function sora2Flow(input: Sora2FlowInput): Promise<Sora2FlowResult> {
  const hub = createHubClient({ baseUrl: input.baseUrl });

  const verified = await hub.GET('/api/auth/verify-session', {
    params: { header: { 'X-Session-Token': input.sessionToken } },
  });
  if (!verified.data) throw new Error(`verify-session: ${verified.error?.message}`);
  const user = verified.data.user;

  const integration = { 'X-API-Key': input.apiKey, 'X-User-ID': user.id };
  const check = await hub.POST('/api/mcp/v1/credits/check', {
    headers: integration,
    body: { service: 'sora2-video-generation', cost: input.estimate },
  });
  if (!check.data) throw new Error(`check: ${check.error?.message}`);

  const hold = await hub.POST('/api/mcp/v1/credits/holds', {
    headers: integration,
    body: { service: 'sora2-video-generation', amount: input.estimate, ttl_seconds: 600 },
  });
  if (!hold.data) throw new Error(`hold: ${hold.error?.message}`);

  // … the video renders …

  const capture = await hub.POST('/api/mcp/v1/credits/holds/{id}/capture', {
    headers: { ...integration, 'Idempotency-Key': `video-${hold.data.hold_id}` },
    params: { path: { id: hold.data.hold_id } },
    body: { amount: input.actual, metadata: { video_id: 'v-42' } },
  });
  if (!capture.data) throw new Error(`capture: ${capture.error?.message}`);

  return { user, check: check.data, hold: hold.data, capture: capture.data };
}
