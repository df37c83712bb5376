import { Injectable, Logger } from '@nestjs/common';
import { AccessTokenService } from './access-token.service';
import {
  AccountDisabledError,
  EmailTakenError,
  InvalidAccessTokenError,
  InvalidCredentialsError,
  InvalidEmailCodeError,
  InvalidRefreshTokenError,
} from './auth.errors';
import { AuthRateLimits } from './auth-rate-limits';
import { EmailCodeService } from './email-code.service';
import { EmailCodePurpose } from './entities/email-code.entity';
import { User } from './entities/user.entity';
import { alreadyRegisteredMail, codeMail } from './mail/code-mails';
import { MailService, OutgoingMail } from './mail/mail.service';
import { PasswordHasher } from './passwords';
import { IssuedRefreshToken, RefreshTokenService } from './refresh-token.service';
import { SignOutEverywhereService } from './sign-out-everywhere.service';
import { toUserView, UsersService, UserView } from './users.service';

/** What login, refresh and the traditional Google login hand out. */
export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
  user: UserView;
}

/** Email/password accounts: register, login, refresh, logout and the two email-code flows. */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordHasher,
    private readonly accessTokens: AccessTokenService,
    private readonly refreshTokens: RefreshTokenService,
    private readonly codes: EmailCodeService,
    private readonly mail: MailService,
    private readonly limits: AuthRateLimits,
    private readonly signOut: SignOutEverywhereService,
  ) {}

  /**
   * Answers new and registered addresses alike (S-18): a new one gets its account and a
   * verification code, an existing one's owner gets a mail saying someone tried. Both hash the
   * password first and mail in the background, so the time does not tell either.
   */
  async register(
    input: { email: string; password: string; name: string },
    ip: string,
  ): Promise<void> {
    await this.limits.attempt('register', ip, input.email);
    this.passwords.assertStrong(input.password, input.email);
    let user: User;
    try {
      user = await this.users.create({
        email: input.email,
        name: input.name.trim(),
        passwordHash: await this.passwords.hash(input.password),
        googleId: null,
        emailVerified: false,
      });
    } catch (error) {
      if (!(error instanceof EmailTakenError)) throw error;
      this.mailInBackground(alreadyRegisteredMail(input.email.trim().toLowerCase()));
      return;
    }
    this.sendCodeInBackground(user, 'verify_email');
  }

  /**
   * Wrong email and wrong password answer alike; a disabled account is told so only after the
   * right password. The guess is counted before the password is checked (S-05, S-17).
   */
  async login(input: { email: string; password: string }, ip: string): Promise<TokenPair> {
    return this.issueTokens(await this.checkPassword(input, ip));
  }

  /**
   * The account behind an email and password, with the login limits (guesses per email + IP,
   * back-off), for every door that signs a person in with a password (login, the OAuth sign-in).
   */
  async checkPassword(input: { email: string; password: string }, ip: string): Promise<User> {
    const attempt = await this.limits.startLogin(ip, input.email);
    // Looked up before the guess is taken, so a database outage answers 503, never 429.
    const user = await attempt.notAGuessIfThrows(() => this.users.findByEmail(input.email));
    await attempt.takeGuess();
    const valid = await attempt.notAGuessIfThrows(() =>
      this.passwords.verify(user?.passwordHash ?? null, input.password),
    );
    if (!valid || !user) throw new InvalidCredentialsError();
    await attempt.succeeded();
    if (user.status !== 'active') throw new AccountDisabledError();
    return user;
  }

  /** A new pair (one login = one refresh-token family). */
  async issueTokens(user: User): Promise<TokenPair> {
    return this.pair(user, await this.refreshTokens.issue(user.id));
  }

  /** The access token belongs to the refresh token's login (`sid` = its family). */
  private async pair(user: User, refresh: IssuedRefreshToken): Promise<TokenPair> {
    return {
      access_token: await this.accessTokens.sign(user, refresh.familyId),
      refresh_token: refresh.token,
      token_type: 'Bearer',
      expires_in: this.accessTokens.ttlSeconds,
      user: toUserView(user),
    };
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const next = await this.refreshTokens.rotate(refreshToken);
    const user = await this.users.findById(next.userId);
    if (!user || user.status !== 'active') {
      await this.refreshTokens.revokeFamily(next.userId, next.familyId, 'account_disabled');
      if (!user) throw new InvalidRefreshTokenError();
      throw new AccountDisabledError();
    }
    return this.pair(user, next);
  }

  logout(refreshToken: string): Promise<void> {
    return this.refreshTokens.revoke(refreshToken, 'logout');
  }

  async me(userId: string): Promise<UserView> {
    const user = await this.users.findById(userId);
    if (!user) throw new InvalidAccessTokenError();
    return toUserView(user);
  }

  async verifyEmail(input: { email: string; code: string }, ip: string): Promise<UserView> {
    await this.limits.attempt('verify-email', ip, input.email);
    const user = await this.users.findByEmail(input.email);
    if (!user) throw new InvalidEmailCodeError();
    await this.codes.consume(user.id, 'verify_email', input.code);
    await this.users.proveEmail(user);
    return toUserView({
      ...user,
      emailVerified: true,
      googleId: user.emailVerified ? user.googleId : null,
    });
  }

  /** Always accepted (202), whether or not the address has an account waiting for verification. */
  async resendVerification(input: { email: string }, ip: string): Promise<void> {
    await this.limits.attempt('resend-verification', ip, input.email);
    const user = await this.users.findByEmail(input.email);
    if (user && !user.emailVerified && user.status === 'active')
      this.sendCodeInBackground(user, 'verify_email');
  }

  /** Always accepted (202): the answer never says whether the address has an account. */
  async forgotPassword(input: { email: string }, ip: string): Promise<void> {
    await this.limits.attempt('forgot-password', ip, input.email);
    const user = await this.users.findByEmail(input.email);
    if (user && user.status === 'active') this.sendCodeInBackground(user, 'reset_password');
  }

  /**
   * Sets a new password with a mailed code and signs the account out everywhere: access and
   * refresh tokens, VERIFIED sessions and chat sockets.
   */
  async resetPassword(
    input: { email: string; code: string; password: string },
    ip: string,
  ): Promise<void> {
    await this.limits.attempt('reset-password', ip, input.email);
    // Checked before the code, so a weak password does not cost the user their code.
    this.passwords.assertStrong(input.password, input.email);
    const user = await this.users.findByEmail(input.email);
    if (!user) throw new InvalidEmailCodeError();
    await this.codes.consume(user.id, 'reset_password', input.code);
    await this.users.setPasswordHash(user.id, await this.passwords.hash(input.password));
    // The code arrived by mail, so the address is proven as well.
    await this.users.proveEmail(user);
    await this.signOut.signOut(user.id, 'password_reset');
  }

  /**
   * Issues and mails a code without holding up the response, so the answer takes the same time
   * whether or not an account exists. Failures are logged (never with the code).
   */
  private mailInBackground(mail: OutgoingMail): void {
    this.mail.send(mail).catch((error: Error) => {
      this.logger.error({ err: error.message }, 'Could not send a mail');
    });
  }

  private sendCodeInBackground(user: User, purpose: EmailCodePurpose): void {
    void (async () => {
      const code = await this.codes.issue(user.id, purpose);
      await this.mail.send(codeMail(user.email, purpose, code));
    })().catch((error: Error) => {
      this.logger.error(
        { userId: user.id, purpose, err: error.message },
        'Could not send the code mail',
      );
    });
  }
}
