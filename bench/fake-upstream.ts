import { fork } from 'node:child_process';
import type { FakeBehaviour } from '../test/support/fake-llm-server';
import { startFakeOpenAI } from '../test/support/fake-openai';

/** What the parent needs to point a client at the fake. */
export interface FakeUpstream {
  apiKey: string;
  baseUrl: string;
  close(): Promise<void>;
}

/** What the child reports once it listens. */
type Ready = Omit<FakeUpstream, 'close'>;

/**
 * The fake OpenAI server, by default in a process of its own, as a real upstream is: a client then
 * pays for waking another process on every request and chunk, through the hub or directly alike.
 * In the caller's process (`inProcess`) the direct path crosses no process at all (client and fake
 * on one event loop) while the hub's path crosses four.
 */
export async function startFakeUpstream(
  behaviour: FakeBehaviour,
  { inProcess = false } = {},
): Promise<FakeUpstream> {
  if (inProcess) return startBehavingFake(behaviour);
  const child = fork(__filename, [JSON.stringify(behaviour)], { stdio: 'inherit' });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (message) => resolve(message as Ready));
    child.once('exit', (code) => reject(new Error(`fake upstream exited with ${code}`)));
  });
  return {
    ...ready,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function startBehavingFake(behaviour: FakeBehaviour) {
  const fake = await startFakeOpenAI();
  fake.behave(behaviour);
  return fake;
}

/** The child: start the fake with the behaviour given on the command line, report where it is. */
async function serveFakeUpstream(): Promise<void> {
  const fake = await startBehavingFake(JSON.parse(process.argv[2]) as FakeBehaviour);
  process.once('SIGTERM', () => void fake.close().then(() => process.exit(0)));
  // The benchmark died without stopping it: go too, rather than serve on as an orphan.
  process.once('disconnect', () => process.exit(0));
  process.send!({ apiKey: fake.apiKey, baseUrl: fake.baseUrl } satisfies Ready);
}

if (require.main === module) void serveFakeUpstream();
