import { FakeClock } from '../../test/support/fake-clock';
import { loadAppConfig } from '../config/app-config';
import { HoldLimitError } from '../credits/credits.errors';
import { ChatAdmission } from './chat-admission';
import { ChatBilling } from './chat-billing';
import { ChatModel } from './entities/chat-model.entity';
import { TokenEstimator } from './token-estimator';

const model = {
  id: 't-gpt',
  provider: 'openai',
  inputPricePer1k: '1',
  outputPricePer1k: '2',
} as ChatModel;

/** An admission whose holds the money core refuses with `refusal` (or takes, when none). */
function admissionRefusing(refusal: Error | undefined, clock: FakeClock) {
  const reserved: unknown[] = [];
  const billing = {
    knownAvailable: () => undefined,
    reserve: (input: unknown) => {
      reserved.push(input);
      return refusal
        ? Promise.reject(refusal)
        : Promise.resolve({ holdId: 'h1', expiresAt: new Date('2026-01-01T00:10:00Z') });
    },
  } as unknown as ChatBilling;
  const config = loadAppConfig({ MCP_MAX_CONCURRENT_STREAMS: '2', MCP_MESSAGES_PER_MINUTE: '7' });
  const admission = new ChatAdmission(config, billing, new TokenEstimator(), clock);
  const admit = () =>
    admission.admit({
      payer: { userId: 'u1' },
      requestId: 'r1',
      candidates: [model],
      maxTokens: 100,
      historyTokens: [],
      turnTokens: Promise.resolve([5]),
    });
  return { admission, admit, reserved };
}

describe('ChatAdmission and the chat limits the money core counts', () => {
  it('asks for the hold with both chat limits', async () => {
    const clock = new FakeClock();
    const { admit, reserved } = admissionRefusing(undefined, clock);
    expect(await admit()).toMatchObject({ ok: true, holdId: 'h1' });
    expect(reserved).toEqual([
      expect.objectContaining({ limits: { concurrent: 2, perMinute: 7 } }),
    ]);
  });

  it('answers a concurrent-limit refusal with TOO_MANY_STREAMS naming the limit', async () => {
    const clock = new FakeClock();
    const { admit } = admissionRefusing(new HoldLimitError('concurrent', 2), clock);
    expect(await admit()).toEqual({
      ok: false,
      error: expect.objectContaining({
        code: 'TOO_MANY_STREAMS',
        message: 'At most 2 chats may stream at once',
      }),
    });
  });

  it('answers a per-minute refusal with when to retry, and refuses in process until then', async () => {
    const clock = new FakeClock();
    const { admission, admit } = admissionRefusing(new HoldLimitError('per_minute', 7, 42), clock);
    expect(await admit()).toEqual({
      ok: false,
      error: expect.objectContaining({
        code: 'TOO_MANY_STREAMS',
        message: 'More than 7 chats a minute; retry in 42 s',
      }),
    });
    clock.advance(41_000);
    expect(() => admission.enter('u1', [model], 100)).toThrow('retry in 1 s');
    clock.advance(1_000);
    expect(admission.enter('u1', [model], 100)).toEqual({ likelyShort: false });
  });
});
