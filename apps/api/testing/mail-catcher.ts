import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A mail as received: to whom, its subject and text. */
export interface CaughtMail {
  to: string[];
  subject: string;
  text: string;
}

/**
 * A real SMTP server on a local port (smtp-server from npm) that keeps what it receives: the
 * API's nodemailer talks SMTP to it as it would to a provider.
 */
export interface MailCatcher {
  url: string;
  mails: CaughtMail[];
  /** The next mail to `to` that arrives (or has arrived and was not taken yet), within `timeoutMs`. */
  next(to: string, timeoutMs?: number): Promise<CaughtMail>;
  /** The link in a mail (the first http(s) URL on a line of its own). */
  linkIn(mail: CaughtMail): string;
  close(): Promise<void>;
}

/** Listens on `port` (0: any free one). */
export async function startMailCatcher(port = 0): Promise<MailCatcher> {
  const mails: CaughtMail[] = [];
  const taken = new Set<CaughtMail>();
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          mails.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), subject: parsed.subject ?? '', text: parsed.text ?? '' });
          for (const wake of waiters.splice(0)) wake();
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: listening } = server.server.address() as AddressInfo;

  async function next(to: string, timeoutMs = 5_000): Promise<CaughtMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = mails.find((mail) => !taken.has(mail) && mail.to.includes(to));
      if (found) {
        taken.add(found);
        return found;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no mail to ${to} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  return {
    url: `smtp://127.0.0.1:${listening}`,
    mails,
    next,
    linkIn(mail) {
      const link = /^https?:\/\/\S+$/m.exec(mail.text)?.[0];
      if (!link) throw new Error(`no link in the mail: ${mail.text}`);
      return link;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
