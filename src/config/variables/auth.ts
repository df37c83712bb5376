import { passwordProblem } from '../../common/password-rules';
import type { ConfigValues, VariableSpec } from '../config-values';

const GOOGLE_AUTHORIZATION_URL = 'https://accounts.google.com/o/oauth2/v2/auth';
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const GOOGLE_USERINFO_URL = 'https://openidconnect.googleapis.com/v1/userinfo';

/** Accounts, tokens, mail, the bootstrap admin and Google OAuth. */
export const AUTH_VARIABLES: readonly VariableSpec[] = [
  {
    name: 'JWT_ACCESS_TTL',
    kind: { type: 'duration' },
    default: '15m',
    description: 'Lifetime of an access token (JWT).',
  },
  {
    name: 'REFRESH_TOKEN_TTL',
    kind: { type: 'duration' },
    default: '30d',
    description:
      'Lifetime of a refresh token; every refresh issues a new one with a fresh lifetime.',
  },
  {
    name: 'SMTP_URL',
    kind: { type: 'url', protocols: ['smtp:', 'smtps:'] },
    description:
      'SMTP server for verification and password-reset mail (`smtps://user:pass@host:465`). Unset outside production: mail is written to the log instead.',
    secret: true,
  },
  {
    name: 'MAIL_FROM',
    kind: { type: 'string' },
    default: 'Smart AI Hub <no-reply@localhost>',
    description: 'Sender of the mail this server writes.',
  },
  {
    name: 'ADMIN_EMAIL',
    kind: { type: 'string' },
    description:
      'With ADMIN_PASSWORD: an admin account with this email is created at start-up if missing (an existing password is never changed).',
  },
  {
    name: 'ADMIN_PASSWORD',
    kind: { type: 'string' },
    description: 'Password of the start-up admin account (used only when it is created).',
    secret: true,
  },
  {
    name: 'AUTH_RATE_LIMIT_PER_IP',
    kind: { type: 'int', min: 1, max: 1_000_000 },
    default: '30',
    description:
      'Attempts per client IP and AUTH_RATE_LIMIT_WINDOW at each of login, register, verify-email, forgot- and reset-password (login is limited by this, not by RATE_LIMIT_PER_MINUTE).',
  },
  {
    name: 'AUTH_RATE_LIMIT_PER_EMAIL',
    kind: { type: 'int', min: 1, max: 1_000_000 },
    default: '5',
    description:
      'Verify/forgot/reset attempts per email address and AUTH_RATE_LIMIT_WINDOW; for login, the failed passwords one client IP may try for one email before AUTH_LOGIN_BACKOFF starts.',
  },
  {
    name: 'AUTH_RATE_LIMIT_WINDOW',
    kind: { type: 'duration' },
    default: '15m',
    description:
      'Window of the two auth rate limits above; a login back-off is forgotten this long after it ends.',
  },
  {
    name: 'AUTH_LOGIN_BACKOFF',
    kind: { type: 'duration' },
    default: '30s',
    description:
      'Login back-off per email and client IP: after AUTH_RATE_LIMIT_PER_EMAIL failures that pair waits this long, doubling with each further failure up to AUTH_LOGIN_BACKOFF_MAX. Other IPs (the owner) are not held up.',
  },
  {
    name: 'AUTH_LOGIN_BACKOFF_MAX',
    kind: { type: 'duration' },
    default: '15m',
    description: 'Longest login back-off of one email and client IP.',
  },
  {
    name: 'GOOGLE_CLIENT_ID',
    kind: { type: 'string' },
    description: 'OAuth client id from the Google Cloud console. Unset: Google login answers 503.',
  },
  {
    name: 'GOOGLE_CLIENT_SECRET',
    kind: { type: 'string' },
    description: 'OAuth client secret from the Google Cloud console.',
    secret: true,
  },
  {
    name: 'GOOGLE_CALLBACK_URL',
    kind: { type: 'url', protocols: ['http:', 'https:'] },
    description:
      'Public URL of the callback, registered in the console as an authorized redirect URI, e.g. `https://hub.example.com/api/auth/google/callback`.',
  },
  {
    name: 'GOOGLE_AUTHORIZATION_URL',
    kind: { type: 'url', protocols: ['http:', 'https:'] },
    default: GOOGLE_AUTHORIZATION_URL,
    description: "Google's authorization endpoint (override for a local OAuth server).",
  },
  {
    name: 'GOOGLE_TOKEN_URL',
    kind: { type: 'url', protocols: ['http:', 'https:'] },
    default: GOOGLE_TOKEN_URL,
    description: "Google's token endpoint (override for a local OAuth server).",
  },
  {
    name: 'GOOGLE_USERINFO_URL',
    kind: { type: 'url', protocols: ['http:', 'https:'] },
    default: GOOGLE_USERINFO_URL,
    description: "Google's OpenID Connect userinfo endpoint (override for a local OAuth server).",
  },
  {
    name: 'GOOGLE_LOGIN_PENDING_PER_IP',
    kind: { type: 'int', min: 1, max: 1_000_000 },
    default: '20',
    description:
      'Google logins one client IP may have started and not finished (10 minutes each) → 429 beyond; bounds the anonymous rows `GET /api/auth/google` writes.',
  },
  {
    name: 'FRONTEND_URL',
    kind: { type: 'url', protocols: ['http:', 'https:'] },
    description:
      'Where a Google login without `session` is sent, with the tokens in the URL fragment. Unset: the served web app (/dashboard), signed in by its refresh cookie.',
  },
];

export interface GoogleOAuthConfig {
  clientId?: string;
  clientSecret?: string;
  callbackUrl?: string;
  authorizationUrl: string;
  tokenUrl: string;
  userInfoUrl: string;
  /** GOOGLE_LOGIN_PENDING_PER_IP. */
  pendingPerIp: number;
  /** Names of the variables still missing; empty when Google login can run. */
  missing: string[];
}

export interface AuthConfig {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  mail: { smtpUrl?: string; from: string };
  admin?: { email: string; password: string };
  rateLimits: {
    perIp: number;
    perEmail: number;
    windowMs: number;
    loginBackoffMs: number;
    loginBackoffMaxMs: number;
  };
  google: GoogleOAuthConfig;
  frontendUrl?: string;
}

export function buildAuthConfig(v: ConfigValues): AuthConfig {
  const adminEmail = v.optionalString('ADMIN_EMAIL');
  const adminPassword = v.optionalString('ADMIN_PASSWORD');
  if ((adminEmail === undefined) !== (adminPassword === undefined)) {
    v.problem('ADMIN_EMAIL and ADMIN_PASSWORD must be set together (or neither)');
  }
  if (adminEmail !== undefined && !/^[^\s@]+@[^\s@]+$/.test(adminEmail)) {
    v.problem(`ADMIN_EMAIL=${JSON.stringify(adminEmail)} is invalid: it must be an email address`);
  }
  // The start-up admin meets the rules sign-up enforces (ADMIN_PASSWORD=admin used to pass).
  const adminPasswordProblem =
    adminPassword === undefined ? null : passwordProblem(adminPassword, adminEmail);
  if (adminPasswordProblem) {
    v.problem(`ADMIN_PASSWORD is invalid: ${adminPasswordProblem} (the sign-up password rules)`);
  }
  const google = {
    clientId: v.optionalString('GOOGLE_CLIENT_ID'),
    clientSecret: v.optionalString('GOOGLE_CLIENT_SECRET'),
    callbackUrl: v.optionalString('GOOGLE_CALLBACK_URL'),
  };
  const missing = (
    [
      ['GOOGLE_CLIENT_ID', google.clientId],
      ['GOOGLE_CLIENT_SECRET', google.clientSecret],
      ['GOOGLE_CALLBACK_URL', google.callbackUrl],
    ] as const
  )
    .filter(([, value]) => value === undefined)
    .map(([name]) => name);
  return {
    accessTokenTtlSeconds: Math.max(1, Math.floor(v.number('JWT_ACCESS_TTL') / 1000)),
    refreshTokenTtlSeconds: Math.max(1, Math.floor(v.number('REFRESH_TOKEN_TTL') / 1000)),
    mail: { smtpUrl: v.optionalString('SMTP_URL'), from: v.string('MAIL_FROM') },
    admin:
      adminEmail !== undefined && adminPassword !== undefined
        ? { email: adminEmail.toLowerCase(), password: adminPassword }
        : undefined,
    rateLimits: {
      perIp: v.number('AUTH_RATE_LIMIT_PER_IP'),
      perEmail: v.number('AUTH_RATE_LIMIT_PER_EMAIL'),
      windowMs: v.number('AUTH_RATE_LIMIT_WINDOW'),
      loginBackoffMs: v.number('AUTH_LOGIN_BACKOFF'),
      loginBackoffMaxMs: v.number('AUTH_LOGIN_BACKOFF_MAX'),
    },
    google: {
      ...google,
      authorizationUrl: v.string('GOOGLE_AUTHORIZATION_URL'),
      tokenUrl: v.string('GOOGLE_TOKEN_URL'),
      userInfoUrl: v.string('GOOGLE_USERINFO_URL'),
      pendingPerIp: v.number('GOOGLE_LOGIN_PENDING_PER_IP'),
      missing,
    },
    frontendUrl: v.optionalString('FRONTEND_URL'),
  };
}
