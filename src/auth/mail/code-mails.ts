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
