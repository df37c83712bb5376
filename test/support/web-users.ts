import { DataSource } from 'typeorm';
import { PasswordHasher } from '../../src/auth/passwords';
import { CreditLedgerService } from '../../src/credits/credit-ledger.service';
import type { TestApp } from './test-app';
import { insertUser, TestUser } from './users';
import type { WebPage } from './web-page';

export const WEB_PASSWORD = 'correct horse 42';

/** A verified user with a password and a credit account holding exactly `credits`. */
export async function webUser(
  t: TestApp,
  fields: { role?: 'user' | 'admin'; credits?: string; name?: string } = {},
): Promise<TestUser> {
  const user = await insertUser(t.database, { role: fields.role, name: fields.name });
  const hash = await t.app.get(PasswordHasher).hash(WEB_PASSWORD);
  await t.database.query('UPDATE users SET password_hash = $1 WHERE id = $2', [hash, user.id]);
  const ledger = t.app.get(CreditLedgerService);
  await t.app.get(DataSource).transaction((manager) => ledger.openAccount(manager, user.id));
  if (fields.credits && Number(fields.credits) > 0) {
    await ledger.credit({
      actor: 'admin:test',
      userId: user.id,
      type: 'topup',
      amount: fields.credits,
      reason: 'test balance',
    });
  }
  return user;
}

/**
 * Signs the browser context in the way the app does (the browser login sets the refresh cookie),
 * without typing: the page then signs in silently on load.
 */
export async function signIn(t: TestApp, web: WebPage, email: string): Promise<void> {
  const res = await web.context.request.post(`${t.url}/api/auth/browser/login`, {
    headers: { Origin: t.url },
    data: { email, password: WEB_PASSWORD },
  });
  if (res.status() !== 200) throw new Error(`browser login answered ${res.status()}`);
}
