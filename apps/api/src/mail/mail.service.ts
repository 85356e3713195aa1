import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

/** One mail to an account's owner, in plain text (every link is on a line of its own). */
export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/**
 * Sends mail through SMTP_URL with nodemailer. Without SMTP_URL (the embedded default) nothing
 * is sent: outside production the mail, link included, is written to the log for whoever runs
 * the service; in production only that a mail was not sent.
 */
@Injectable()
export class MailService implements OnModuleDestroy {
  private readonly logger = new Logger(MailService.name);
  private readonly transport: Transporter | null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.transport = config.mail.smtpUrl ? createTransport(config.mail.smtpUrl, { from: config.mail.from }) : null;
  }

  /** Whether mail really leaves (SMTP_URL is set): only then can an address be verified. */
  get delivers(): boolean {
    return this.transport !== null;
  }

  async send(mail: Mail): Promise<void> {
    if (!this.transport) {
      // A link in the log is a key to the account for whoever reads the log: only outside production.
      if (this.config.isProduction) this.logger.warn({ message: 'mail not sent: SMTP_URL is not set', subject: mail.subject });
      else this.logger.log({ message: 'mail not sent (no SMTP_URL): its text follows', to: mail.to, subject: mail.subject, text: mail.text });
      return;
    }
    await this.transport.sendMail({ to: mail.to, subject: mail.subject, text: mail.text });
  }

  /** Sends without making the caller wait (the answer must not show whether an account exists); a failure is logged. */
  sendLater(mail: Mail, context: Record<string, unknown>): void {
    this.send(mail).catch((error: unknown) => {
      this.logger.error({ message: 'mail could not be sent', subject: mail.subject, ...context, error: (error as Error).message });
    });
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }
}
