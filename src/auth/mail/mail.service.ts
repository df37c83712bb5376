import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { AppConfig } from '../../config/app-config';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

/**
 * Mail over SMTP (SMTP_URL). Without SMTP_URL outside production the mail is written to the log,
 * marked as such, so development needs no mail server; in production it is dropped with an error.
 */
@Injectable()
export class MailService implements OnApplicationShutdown {
  private readonly logger = new Logger(MailService.name);
  private readonly transport: Transporter | null;

  constructor(private readonly config: AppConfig) {
    const url = config.auth.mail.smtpUrl;
    this.transport = url ? createTransport(url) : null;
    if (!url) {
      this.logger.warn(
        config.nodeEnv === 'production'
          ? 'SMTP_URL is not set: verification and password-reset mail cannot be sent'
          : 'SMTP_URL is not set: mail is written to the log instead of being sent',
      );
    }
  }

  async send(mail: OutgoingMail): Promise<void> {
    if (this.transport) {
      await this.transport.sendMail({ from: this.config.auth.mail.from, ...mail });
      return;
    }
    if (this.config.nodeEnv === 'production') {
      this.logger.error({ subject: mail.subject }, 'Mail NOT sent: SMTP_URL is not set');
      return;
    }
    this.logger.warn({ mail }, 'Mail NOT sent (no SMTP_URL, not production): logged instead');
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
