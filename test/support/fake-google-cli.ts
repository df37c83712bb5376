/**
 * `npm run dev:fake-google`: the tests' local Google (OAuth 2.0 + userinfo, Google's wire format)
 * for trying the Google login and the VERIFIED page without a Google client. Every login is the
 * user named by FAKE_GOOGLE_EMAIL (and FAKE_GOOGLE_NAME); it prints the variables to give the hub.
 * Development only: it vouches for any email it is told to.
 */
import { FakeGoogle } from './fake-google';

async function main(): Promise<void> {
  const port = Number(process.env.FAKE_GOOGLE_PORT ?? 4010);
  const hub = (process.env.HUB_URL ?? 'http://localhost:3000').replace(/\/$/, '');
  const email = process.env.FAKE_GOOGLE_EMAIL ?? 'dev@example.com';
  const google = await FakeGoogle.start(port);
  google.nextUser = {
    sub: `fake-${email}`,
    email,
    email_verified: true,
    name: process.env.FAKE_GOOGLE_NAME ?? email.split('@')[0],
  };
  const env = google.env(`${hub}/api/auth/google/callback`);
  process.stdout.write(
    [
      `Fake Google on ${google.url}: every login is ${email}.`,
      'Start the hub with these variables (e.g. in .env), then open',
      `${hub}/api/auth/google?session=try-1 for the VERIFIED page:`,
      '',
      ...Object.entries(env).map(([name, value]) => `${name}=${value}`),
      '',
    ].join('\n'),
  );
  const stop = () => void google.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
