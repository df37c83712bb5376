import { EmailCodePurpose } from '../entities/email-code.entity';
import type { OutgoingMail } from './mail.service';

const SUBJECTS: Record<EmailCodePurpose, string> = {
  verify_email: 'Smart AI Hub: ยืนยันอีเมลของคุณ / Verify your email',
  reset_password: 'Smart AI Hub: รีเซ็ตรหัสผ่าน / Reset your password',
};

const LINES: Record<EmailCodePurpose, [thai: string, english: string]> = {
  verify_email: ['รหัสยืนยันอีเมลของคุณคือ', 'Your email verification code is'],
  reset_password: ['รหัสสำหรับตั้งรหัสผ่านใหม่ของคุณคือ', 'Your password reset code is'],
};

/** The mail that carries a one-time code (Thai first, then English). */
export function codeMail(to: string, purpose: EmailCodePurpose, code: string): OutgoingMail {
  const [thai, english] = LINES[purpose];
  return {
    to,
    subject: SUBJECTS[purpose],
    text: [
      `${thai}: ${code}`,
      'รหัสนี้ใช้ได้ 10 นาที หากคุณไม่ได้ขอรหัสนี้ ไม่ต้องทำอะไร',
      '',
      `${english}: ${code}`,
      'It expires in 10 minutes. If you did not ask for it, you can ignore this mail.',
      '',
    ].join('\n'),
  };
}

/**
 * To the owner of an address someone tried to register again (S-18): register answers every
 * address alike, so the owner learns it here instead of the caller learning it there.
 */
export function alreadyRegisteredMail(to: string): OutgoingMail {
  return {
    to,
    subject: 'Smart AI Hub: มีการสมัครด้วยอีเมลของคุณ / Someone signed up with your email',
    text: [
      'มีการสมัครสมาชิกด้วยอีเมลนี้ แต่อีเมลนี้มีบัญชีอยู่แล้ว หากเป็นคุณ เข้าสู่ระบบได้เลย',
      'หรือใช้ "ลืมรหัสผ่าน" หากจำรหัสผ่านไม่ได้ หากไม่ใช่คุณ ไม่ต้องทำอะไร บัญชีของคุณไม่มีการเปลี่ยนแปลง',
      '',
      'Someone tried to sign up with this address, which already has an account. If it was you,',
      'log in, or use "Forgot password". If not, you can ignore this mail: nothing was changed.',
      '',
    ].join('\n'),
  };
}
