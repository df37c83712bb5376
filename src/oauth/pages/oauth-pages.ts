import { randomBytes } from 'node:crypto';
import type { Response } from 'express';
import { escapeHtml } from '../../common/http/escape-html';

export type Language = 'th' | 'en';

/** `?lang=` first (the switch link, a form's hidden field), then Accept-Language; Thai by default. */
export function pickLanguage(explicit: unknown, acceptLanguage: string | undefined): Language {
  if (explicit === 'th' || explicit === 'en') return explicit;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.split(';')[0].trim().toLowerCase();
    if (tag.startsWith('th')) return 'th';
    if (tag.startsWith('en')) return 'en';
  }
  return 'th';
}

const TEXT = {
  th: {
    signInTitle: 'เข้าสู่ระบบ Smart AI Hub',
    signInLead: (app: string) => `${app} ขอเชื่อมต่อกับบัญชี Smart AI Hub ของคุณ`,
    email: 'อีเมล',
    password: 'รหัสผ่าน',
    signIn: 'เข้าสู่ระบบ',
    google: 'เข้าสู่ระบบด้วย Google',
    consentTitle: 'อนุญาตการเข้าถึง',
    consentLead: (app: string) => `${app} ต้องการสิทธิ์ต่อไปนี้ในบัญชีของคุณ:`,
    signedInAs: (email: string) => `เข้าสู่ระบบในชื่อ ${email}`,
    capLabel: (period: string) => `วงเงินสูงสุดที่แอปนี้ใช้ได้ต่อ${period} (เครดิต)`,
    capHint: (cap: string) => `เสนอไว้ ${cap} เครดิต คุณลดลงได้ แต่เพิ่มเกินนี้ไม่ได้`,
    noCapHint: 'แอปนี้ไม่ได้เสนอวงเงิน เว้นว่างไว้หากไม่ต้องการจำกัด',
    totalCapLabel: 'วงเงินรวมทั้งหมด (เครดิต)',
    allow: 'อนุญาต',
    deny: 'ไม่อนุญาต',
    revokeHint: 'คุณเปลี่ยนวงเงินหรือยกเลิกการเชื่อมต่อได้ทุกเมื่อที่หน้า "แอปที่เชื่อมต่อ"',
    day: 'วัน',
    month: 'เดือน',
    switchTo: 'English',
    errorTitle: 'เกิดข้อผิดพลาด',
    scopes: {
      openid: 'ยืนยันตัวตนของคุณ',
      offline_access: 'ใช้งานต่อเนื่องแม้คุณไม่ได้ใช้งานอยู่',
      profile: 'ดูชื่อและอีเมลของคุณ',
      'credits:read': 'ดูยอดเครดิตของคุณ',
      'credits:spend': 'ใช้เครดิตของคุณ (ไม่เกินวงเงินด้านล่าง)',
      chat: 'แชตกับโมเดล AI ในนามของคุณ',
    } as Record<string, string>,
  },
  en: {
    signInTitle: 'Sign in to Smart AI Hub',
    signInLead: (app: string) => `${app} wants to connect to your Smart AI Hub account`,
    email: 'Email',
    password: 'Password',
    signIn: 'Sign in',
    google: 'Sign in with Google',
    consentTitle: 'Allow access',
    consentLead: (app: string) => `${app} asks for the following on your account:`,
    signedInAs: (email: string) => `Signed in as ${email}`,
    capLabel: (period: string) => `Most this app may spend per ${period} (credits)`,
    capHint: (cap: string) => `Proposed: ${cap} credits. You may lower it, not raise it.`,
    noCapHint: 'This app proposes no limit. Leave empty for none.',
    totalCapLabel: 'Most in all (credits)',
    allow: 'Allow',
    deny: 'Deny',
    revokeHint:
      'You can change the limit or disconnect the app at any time under "Connected apps".',
    day: 'day',
    month: 'month',
    switchTo: 'ภาษาไทย',
    errorTitle: 'Something went wrong',
    scopes: {
      openid: 'Confirm who you are',
      offline_access: 'Keep access while you are away',
      profile: 'See your name and email',
      'credits:read': 'See your credit balance',
      'credits:spend': 'Spend your credits (up to the limit below)',
      chat: 'Chat with AI models on your behalf',
    } as Record<string, string>,
  },
};

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI","Noto Sans Thai",Tahoma,Arial,sans-serif;
background:#f8fafc;color:#0f172a;line-height:1.6}
main{max-width:30rem;margin:0 auto;padding:2rem 1rem}
h1{font-size:1.5rem;margin:0 0 1rem}
.app{display:flex;align-items:center;gap:.75rem;margin-bottom:1rem}
.app img{width:48px;height:48px;border-radius:.5rem;object-fit:cover}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=email],input[type=password],input[type=text]{width:100%;font:inherit;padding:.6rem;
border:1px solid #94a3b8;border-radius:.4rem;min-height:44px}
input:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid #93c5fd;outline-offset:2px}
.actions{display:flex;gap:.75rem;margin-top:1.25rem;flex-wrap:wrap}
button{font:inherit;font-size:1.05rem;padding:.7rem 1.4rem;border:0;border-radius:.4rem;cursor:pointer;min-height:44px}
button.primary{background:#2563eb;color:#fff}
button.secondary{background:#e2e8f0;color:#0f172a}
ul.scopes{padding-left:1.25rem}
.hint{font-size:.9rem;color:#475569}
.error{background:#fef2f2;border:1px solid #fca5a5;border-radius:.4rem;padding:.75rem;color:#991b1b}
.lang{text-align:right;font-size:.9rem}
.alt{margin-top:1.25rem}
a.google{display:inline-block;padding:.6rem 1.2rem;border:1px solid #94a3b8;border-radius:.4rem;color:#0f172a;text-decoration:none;min-height:44px}
`;

/**
 * Sends one of the authorization server's pages: no cache, no referrer, no script at all; the
 * style by nonce; forms post only to this origin and, after consent, on to the app's redirect
 * URI (`formTargets`: browsers check form-action on the redirect that follows a POST).
 */
export function sendOAuthPage(
  res: Response,
  status: number,
  page: { lang: Language; title: string; body: string; formTargets?: string[] },
): void {
  const nonce = randomBytes(16).toString('base64');
  const formAction = ["'self'", ...(page.formTargets ?? [])].join(' ');
  res
    .status(status)
    .setHeader('Cache-Control', 'no-store')
    .setHeader('Pragma', 'no-cache')
    .setHeader('Referrer-Policy', 'no-referrer')
    .setHeader(
      'Content-Security-Policy',
      `default-src 'none'; style-src 'nonce-${nonce}'; img-src https: data:; base-uri 'none'; form-action ${formAction}; frame-ancestors 'none'`,
    )
    .type('html').send(`<!DOCTYPE html>
<html lang="${page.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(page.title)}</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body><main>${page.body}</main></body>
</html>`);
}

export interface AppView {
  name: string;
  logoUri?: string;
}

function appHeader(app: AppView): string {
  const logo = app.logoUri?.startsWith('https://')
    ? `<img src="${escapeHtml(app.logoUri)}" alt="">`
    : '';
  return `<div class="app">${logo}<strong>${escapeHtml(app.name)}</strong></div>`;
}

function languageSwitch(lang: Language, path: string): string {
  const other: Language = lang === 'th' ? 'en' : 'th';
  return `<p class="lang"><a href="${escapeHtml(path)}?lang=${other}" lang="${other}">${TEXT[lang].switchTo}</a></p>`;
}

export function loginPage(input: {
  lang: Language;
  path: string;
  app: AppView;
  csrf: string;
  email?: string;
  error?: string;
  /** The hub's Google login for this sign-in, when Google login is configured. */
  googleUrl?: string;
}): { title: string; body: string } {
  const t = TEXT[input.lang];
  const google = input.googleUrl
    ? `<p class="alt"><a class="google" href="${escapeHtml(input.googleUrl)}">${t.google}</a></p>`
    : '';
  const error = input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : '';
  return {
    title: t.signInTitle,
    body: `${languageSwitch(input.lang, input.path)}
<h1>${t.signInTitle}</h1>
${appHeader(input.app)}
<p>${escapeHtml(t.signInLead(input.app.name))}</p>
${error}
<form method="post" action="${escapeHtml(input.path)}/login">
<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
<input type="hidden" name="lang" value="${input.lang}">
<label for="email">${t.email}</label>
<input id="email" name="email" type="email" autocomplete="email" required value="${escapeHtml(input.email ?? '')}">
<label for="password">${t.password}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<div class="actions"><button class="primary" type="submit">${t.signIn}</button></div>
</form>
${google}`,
  };
}

export function consentPage(input: {
  lang: Language;
  path: string;
  app: AppView;
  csrf: string;
  email: string;
  scopes: string[];
  period: 'day' | 'month';
  /** Decimal text; null: the app proposes no cap. */
  periodCap: string | null;
  totalCap: string | null;
  error?: string;
}): { title: string; body: string } {
  const t = TEXT[input.lang];
  const scopes = input.scopes
    .map(
      (s) =>
        `<li>${escapeHtml(t.scopes[s] ?? s)} <span class="hint">(${escapeHtml(s)})</span></li>`,
    )
    .join('');
  const spends = input.scopes.includes('credits:spend');
  const error = input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : '';
  const cap = spends
    ? `<label for="period_cap">${escapeHtml(t.capLabel(t[input.period]))}</label>
<input id="period_cap" name="period_cap" type="text" inputmode="decimal" aria-describedby="cap_hint" value="${escapeHtml(input.periodCap ?? '')}">
<p id="cap_hint" class="hint">${escapeHtml(input.periodCap === null ? t.noCapHint : t.capHint(input.periodCap))}</p>${
        input.totalCap === null
          ? ''
          : `
<label for="total_cap">${t.totalCapLabel}</label>
<input id="total_cap" name="total_cap" type="text" inputmode="decimal" value="${escapeHtml(input.totalCap)}">`
      }`
    : '';
  return {
    title: t.consentTitle,
    body: `${languageSwitch(input.lang, input.path)}
<h1>${t.consentTitle}</h1>
${appHeader(input.app)}
<p class="hint">${escapeHtml(t.signedInAs(input.email))}</p>
<p>${escapeHtml(t.consentLead(input.app.name))}</p>
<ul class="scopes">${scopes}</ul>
${error}
<form method="post" action="${escapeHtml(input.path)}/consent">
<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
<input type="hidden" name="lang" value="${input.lang}">
${cap}
<div class="actions">
<button class="primary" type="submit" name="decision" value="allow">${t.allow}</button>
<button class="secondary" type="submit" name="decision" value="deny">${t.deny}</button>
</div>
</form>
<p class="hint">${t.revokeHint}</p>`,
  };
}

export function errorPage(lang: Language, message: string): { title: string; body: string } {
  const t = TEXT[lang];
  return {
    title: t.errorTitle,
    body: `<h1>${t.errorTitle}</h1><p class="error" role="alert">${escapeHtml(message)}</p>`,
  };
}
