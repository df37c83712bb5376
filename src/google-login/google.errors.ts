import { DomainError } from '../common/errors/domain-error';

/** 503 JSON naming the missing variables: an operator problem, not something a user can fix. */
export class GoogleNotConfiguredError extends DomainError {
  readonly kind = 'unavailable';
  constructor(missing: string[]) {
    super(`Google login is not configured: set ${missing.join(', ')}`, { missing });
  }
}

/**
 * Failures the person in the browser sees as a page (the Google endpoints are navigated to, not
 * called by scripts). `thai` is the page's explanation; `retryUrl` offers to start again.
 */
export abstract class GoogleLoginError extends DomainError {
  abstract readonly thai: string;
  retryUrl?: string;
}

export class InvalidLoginRequestError extends GoogleLoginError {
  readonly kind = 'invalid';
  readonly thai = 'ลิงก์เข้าสู่ระบบไม่ถูกต้อง กรุณากลับไปเริ่มใหม่จากบริการที่ส่งคุณมา';
}

/** Missing, unknown, mismatched, expired or replayed `state`: nothing is created. */
export class InvalidOAuthStateError extends GoogleLoginError {
  readonly kind = 'invalid';
  readonly thai = 'คำขอเข้าสู่ระบบนี้หมดอายุหรือถูกใช้ไปแล้ว กรุณาเริ่มเข้าสู่ระบบใหม่อีกครั้ง';
  constructor(reason: 'missing' | 'mismatched' | 'unknown' | 'expired') {
    super(`Invalid OAuth state (${reason}); please start the login again`, { reason });
  }
}

/** A reload of the success page: its code was shown once and is not shown again. */
export class GoogleLoginShownError extends GoogleLoginError {
  readonly kind = 'gone';
  readonly thai =
    'ผลการเข้าสู่ระบบนี้แสดงไปแล้ว (รหัสแสดงได้ครั้งเดียวเพื่อความปลอดภัย) หากยังไม่ได้คัดลอกรหัส กรุณาเริ่มเข้าสู่ระบบใหม่อีกครั้ง';
  constructor(retryUrl: string) {
    super('This login was completed and its result already shown; start again for a new code');
    this.retryUrl = retryUrl;
  }
}

/** Google has not verified the address: no account is created or linked on it (S-10). */
export class GoogleEmailUnverifiedError extends GoogleLoginError {
  readonly kind = 'forbidden';
  readonly thai =
    'Google ยังไม่ได้ยืนยันอีเมลของบัญชีนี้ จึงใช้เข้าสู่ระบบไม่ได้ กรุณายืนยันอีเมลกับ Google หรือสมัครด้วยอีเมลและรหัสผ่าน';
  constructor() {
    super('Google has not verified this email address: no account is created or linked on it');
  }
}

export class GoogleAccessDeniedError extends GoogleLoginError {
  readonly kind = 'forbidden';
  readonly thai = 'คุณยกเลิกการเข้าสู่ระบบด้วย Google หากต้องการใช้งานต่อ กรุณาลองใหม่อีกครั้ง';
  constructor(retryUrl: string) {
    super('Google login was cancelled');
    this.retryUrl = retryUrl;
  }
}

export class GoogleLoginFailedError extends GoogleLoginError {
  readonly kind = 'unauthenticated';
  readonly thai = 'เข้าสู่ระบบด้วย Google ไม่สำเร็จ กรุณาลองใหม่อีกครั้ง';
  constructor(reason: string, retryUrl?: string) {
    super(`Google login failed: ${reason}`);
    this.retryUrl = retryUrl;
  }
}

export class GoogleAccountDisabledError extends GoogleLoginError {
  readonly kind = 'forbidden';
  readonly thai = 'บัญชีนี้ถูกระงับการใช้งาน กรุณาติดต่อผู้ดูแลระบบ';
  constructor() {
    super('This account is disabled');
  }
}

/** The account of this email is linked to another Google account: no second link. */
export class GoogleEmailConflictError extends GoogleLoginError {
  readonly kind = 'conflict';
  readonly thai = 'อีเมลนี้เชื่อมกับบัญชี Google อื่นอยู่แล้ว กรุณาเข้าสู่ระบบด้วยบัญชี Google นั้นหรือด้วยรหัสผ่าน';
  constructor(message: string) {
    super(message);
  }
}
