import { createHmac, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuthService } from '../auth/auth.service';
import { LoginTicketService, oauthInteractionAudience } from '../auth/login-ticket.service';
import { UsersService } from '../auth/users.service';
import { DomainError } from '../common/errors/domain-error';
import { formatUnits, parseUnits, STORAGE_MAX_UNITS } from '../common/money/credit-amount';
import { AppConfig } from '../config/app-config';
import type { GrantCaps } from '../grants/grant';
import { GrantsService } from '../grants/grants.service';
import { OAuthClientsService } from './oauth-clients.service';
import { INTERACTION_PATH, OAuthServer } from './oauth-server';
import { ALL_SCOPES, isHubScope } from './oauth-scopes';
import {
  AppView,
  consentPage,
  errorPage,
  Language,
  loginPage,
  pickLanguage,
  sendOAuthPage,
} from './pages/oauth-pages';

/** What the sign-in form posts. */
export interface LoginForm {
  csrf?: string;
  lang?: string;
  email?: string;
  password?: string;
}

/** What the consent form posts. */
export interface ConsentForm {
  csrf?: string;
  lang?: string;
  decision?: string;
  period_cap?: string;
  total_cap?: string;
}

/** A request parameter as text ('' when absent or not text). */
function paramText(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

type Details = Awaited<ReturnType<OAuthServer['provider']['interactionDetails']>>;

/** A cap the user typed: empty → the proposal; never above the proposal. */
function chosenCap(
  typed: string | undefined,
  proposed: bigint | null,
): { units: bigint | null } | { problem: 'format' | 'above' } {
  const text = (typed ?? '').trim();
  if (text === '') return { units: proposed };
  const parsed = parseUnits(text);
  if ('problem' in parsed || parsed.units < 0n || parsed.units > STORAGE_MAX_UNITS) {
    return { problem: 'format' };
  }
  if (proposed !== null && parsed.units > proposed) return { problem: 'above' };
  return { units: parsed.units };
}

const CAP_ERRORS: Record<Language, Record<'format' | 'above', string>> = {
  th: {
    format: 'วงเงินต้องเป็นตัวเลข ทศนิยมไม่เกิน 4 ตำแหน่ง',
    above: 'วงเงินต้องไม่เกินที่แอปเสนอไว้',
  },
  en: {
    format: 'The limit must be a number with up to 4 decimals.',
    above: 'The limit may not be above what the app proposed.',
  },
};

const LOGIN_ERRORS: Record<Language, Record<string, string>> = {
  th: {
    unauthenticated: 'อีเมลหรือรหัสผ่านไม่ถูกต้อง',
    forbidden: 'บัญชีนี้ถูกระงับ',
    rate_limited: 'ลองผิดหลายครั้งเกินไป กรุณารอสักครู่แล้วลองใหม่',
  },
  en: {
    unauthenticated: 'Wrong email or password.',
    forbidden: 'This account is disabled.',
    rate_limited: 'Too many tries. Wait a moment and try again.',
  },
};

const GOOGLE_FAILED: Record<Language, string> = {
  th: 'เข้าสู่ระบบด้วย Google ไม่สำเร็จหรือหมดเวลา กรุณาลองใหม่',
  en: 'Signing in with Google failed or took too long. Please try again.',
};

const EXPIRED: Record<Language, string> = {
  th: 'คำขอนี้หมดอายุหรือถูกใช้ไปแล้ว กรุณากลับไปที่แอปแล้วเริ่มเชื่อมต่อใหม่',
  en: 'This request has expired or was already used. Go back to the app and connect again.',
};

/**
 * The hub's side of an authorization: sign-in with a hub account (email + password, with the
 * login limits) and the consent page, which names the app, the scopes in plain words and the
 * spending cap the app proposes; the user may lower it. Consent writes oidc-provider's grant and
 * the hub's spending grant (source `consent`, the oidc grant id kept).
 *
 * CSRF: the interaction is bound to the browser by oidc-provider's SameSite=Lax cookie (a
 * cross-site POST does not carry it), and each form carries an HMAC of the interaction id.
 */
@Injectable()
export class InteractionService {
  private readonly csrfKey: Buffer;

  constructor(
    private readonly server: OAuthServer,
    private readonly auth: AuthService,
    private readonly users: UsersService,
    private readonly grants: GrantsService,
    private readonly clients: OAuthClientsService,
    private readonly tickets: LoginTicketService,
    private readonly config: AppConfig,
  ) {
    this.csrfKey = createHmac('sha256', config.jwt.secret).update('oauth-interaction').digest();
  }

  async show(req: Request, res: Response): Promise<void> {
    const lang = pickLanguage(req.query.lang, req.headers['accept-language']);
    const details = await this.details(req, res, lang);
    if (!details) return;
    if (details.prompt.name === 'login') {
      return this.renderLogin(res, 200, details, lang);
    }
    return this.renderConsent(res, 200, details, lang);
  }

  async login(req: Request, res: Response, form: LoginForm): Promise<void> {
    const lang = pickLanguage(form.lang, req.headers['accept-language']);
    const details = await this.details(req, res, lang, form.csrf);
    if (!details) return;
    if (details.prompt.name !== 'login') return this.renderConsent(res, 409, details, lang);
    let userId: string;
    try {
      const user = await this.auth.checkPassword(
        { email: form.email ?? '', password: form.password ?? '' },
        req.ip ?? 'unknown',
      );
      userId = user.id;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const kind =
        error.kind === 'rate_limited' || error.kind === 'forbidden'
          ? error.kind
          : 'unauthenticated';
      const status = { unauthenticated: 401, forbidden: 403, rate_limited: 429 }[kind];
      return this.renderLogin(res, status, details, lang, form.email, LOGIN_ERRORS[lang][kind]);
    }
    const url = await this.server.provider.interactionResult(
      req,
      res,
      { login: { accountId: userId } },
      { mergeWithLastSubmission: false },
    );
    res.redirect(303, url);
  }

  /**
   * Back from the hub's Google login (started from the sign-in page with return_to=oauth): its
   * ticket, valid 2 minutes for this interaction only, signs the person in.
   */
  async google(req: Request, res: Response, ticket: string | undefined): Promise<void> {
    const lang = pickLanguage(req.query.lang, req.headers['accept-language']);
    const details = await this.details(req, res, lang);
    if (!details) return;
    if (details.prompt.name !== 'login') return this.renderConsent(res, 409, details, lang);
    let userId: string;
    try {
      userId = await this.tickets.verify(ticket ?? '', oauthInteractionAudience(details.uid));
    } catch {
      return this.renderLogin(res, 401, details, lang, undefined, GOOGLE_FAILED[lang]);
    }
    const user = await this.users.findById(userId);
    if (!user || user.status !== 'active') {
      return this.renderLogin(res, 403, details, lang, undefined, LOGIN_ERRORS[lang].forbidden);
    }
    const url = await this.server.provider.interactionResult(
      req,
      res,
      { login: { accountId: user.id } },
      { mergeWithLastSubmission: false },
    );
    res.redirect(303, url);
  }

  async consent(req: Request, res: Response, form: ConsentForm): Promise<void> {
    const lang = pickLanguage(form.lang, req.headers['accept-language']);
    const details = await this.details(req, res, lang, form.csrf);
    if (!details) return;
    if (details.prompt.name !== 'consent' || !details.session?.accountId) {
      return this.renderLogin(res, 409, details, lang);
    }
    const provider = this.server.provider;
    if (form.decision !== 'allow') {
      const url = await provider.interactionResult(
        req,
        res,
        { error: 'access_denied', error_description: 'The user did not allow access' },
        { mergeWithLastSubmission: false },
      );
      return void res.redirect(303, url);
    }
    const clientId = paramText(details.params.client_id);
    const accountId = details.session.accountId;
    const proposal = await this.clients.defaultCaps(clientId);
    const periodCap = chosenCap(form.period_cap, proposal.periodCap);
    const totalCap = chosenCap(form.total_cap, proposal.totalCap);
    for (const cap of [periodCap, totalCap]) {
      if ('problem' in cap) {
        return this.renderConsent(res, 400, details, lang, CAP_ERRORS[lang][cap.problem]);
      }
    }
    const caps: GrantCaps = {
      period: proposal.period,
      periodCap: (periodCap as { units: bigint | null }).units,
      totalCap: (totalCap as { units: bigint | null }).units,
    };

    const grant = details.grantId
      ? ((await provider.Grant.find(details.grantId)) ??
        new provider.Grant({ accountId, clientId }))
      : new provider.Grant({ accountId, clientId });
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    await this.grants.grant({
      userId: accountId,
      clientType: 'oauth',
      clientId,
      scopes: this.requestedScopes(details).filter(isHubScope),
      caps,
      source: 'consent',
      oidcGrantId: grantId,
    });
    const url = await provider.interactionResult(
      req,
      res,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    );
    res.redirect(303, url);
  }

  /** The interaction of this browser, or an error page (expired, another browser, bad CSRF). */
  private async details(
    req: Request,
    res: Response,
    lang: Language,
    csrf?: string,
  ): Promise<Details | undefined> {
    let details: Details;
    try {
      details = await this.server.provider.interactionDetails(req, res);
    } catch {
      sendOAuthPage(res, 400, { lang, ...errorPage(lang, EXPIRED[lang]) });
      return undefined;
    }
    if (
      details.uid !== req.params.uid ||
      (csrf !== undefined && !this.csrfMatches(details.uid, csrf))
    ) {
      sendOAuthPage(res, 403, { lang, ...errorPage(lang, EXPIRED[lang]) });
      return undefined;
    }
    if (req.method === 'POST' && csrf === undefined) {
      sendOAuthPage(res, 403, { lang, ...errorPage(lang, EXPIRED[lang]) });
      return undefined;
    }
    return details;
  }

  private csrf(uid: string): string {
    return createHmac('sha256', this.csrfKey).update(uid).digest('base64url');
  }

  private csrfMatches(uid: string, presented: string): boolean {
    const a = Buffer.from(this.csrf(uid));
    const b = Buffer.from(presented);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private async app(details: Details): Promise<AppView & { redirectOrigins: string[] }> {
    const client = await this.server.provider.Client.find(paramText(details.params.client_id));
    const redirect = URL.parse(paramText(details.params.redirect_uri));
    return {
      name: client?.clientName ?? paramText(details.params.client_id),
      logoUri: client?.logoUri,
      redirectOrigins: redirect ? [redirect.origin] : [],
    };
  }

  private requestedScopes(details: Details): string[] {
    const requested = paramText(details.params.scope).split(' ');
    return ALL_SCOPES.filter((s) => requested.includes(s));
  }

  private async renderLogin(
    res: Response,
    status: number,
    details: Details,
    lang: Language,
    email?: string,
    error?: string,
  ): Promise<void> {
    const app = await this.app(details);
    sendOAuthPage(res, status, {
      lang,
      ...loginPage({
        lang,
        path: `${INTERACTION_PATH}/${details.uid}`,
        app,
        csrf: this.csrf(details.uid),
        email,
        error,
        googleUrl:
          this.config.auth.google.missing.length === 0
            ? `/api/auth/google?${new URLSearchParams({ return_to: 'oauth', interaction: details.uid }).toString()}`
            : undefined,
      }),
    });
  }

  private async renderConsent(
    res: Response,
    status: number,
    details: Details,
    lang: Language,
    error?: string,
  ): Promise<void> {
    const app = await this.app(details);
    const user = details.session?.accountId
      ? await this.users.findById(details.session.accountId)
      : null;
    const proposal = await this.clients.defaultCaps(paramText(details.params.client_id));
    const text = (units: bigint | null) => (units === null ? null : formatUnits(units));
    sendOAuthPage(res, status, {
      lang,
      formTargets: app.redirectOrigins,
      ...consentPage({
        lang,
        path: `${INTERACTION_PATH}/${details.uid}`,
        app,
        csrf: this.csrf(details.uid),
        email: user?.email ?? '',
        scopes: this.requestedScopes(details).filter((s) => s !== 'openid'),
        period: proposal.period,
        periodCap: text(proposal.periodCap),
        totalCap: text(proposal.totalCap),
        error,
      }),
    });
  }
}
