import nodemailer from 'nodemailer';
import type { Logger } from '@mini/logger';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
}

export interface OutboxMessage extends Mail {
  id: number;
  sentAt: string;
}

/**
 * Development stand-in for an SMTP server: keeps the last messages in memory (GET /dev/outbox lists
 * them) and logs each one, so a learner can follow a verification or reset link without any mail setup.
 */
export class DevOutbox implements Mailer {
  readonly messages: OutboxMessage[] = [];
  readonly #logger: Logger;
  readonly #capacity: number;
  #nextId = 1;

  constructor(logger: Logger, capacity = 100) {
    this.#logger = logger;
    this.#capacity = capacity;
  }

  async send(mail: Mail): Promise<void> {
    const message = { id: this.#nextId++, sentAt: new Date().toISOString(), ...mail };
    this.messages.push(message);
    if (this.messages.length > this.#capacity) this.messages.shift();
    // The body is logged on purpose: this mailer exists only when DEV_OUTBOX asks for it, to be read.
    this.#logger.info(
      { mail: { to: mail.to, subject: mail.subject, text: mail.text } },
      'dev outbox: mail not sent, kept here',
    );
  }

  /** The latest message to an address (tests read their mail with it). */
  latestTo(address: string): OutboxMessage | undefined {
    return this.messages.findLast((message) => message.to.toLowerCase() === address.toLowerCase());
  }
}

/**
 * No SMTP_URL and no DEV_OUTBOX: nothing can be delivered, and the body must not be logged either (it holds
 * the verification or reset token: a log reader could take over the account). Only who and what is logged.
 */
export function createLogOnlyMailer(logger: Logger): Mailer {
  return {
    send(mail) {
      logger.info(
        { mail: { to: mail.to, subject: mail.subject } },
        'mail not sent: SMTP_URL is not set (body withheld from the log)',
      );
      return Promise.resolve();
    },
  };
}

/**
 * SMTP_URL set: SMTP. Otherwise, when DEV_OUTBOX is switched on (never in production: config refuses it),
 * the DevOutbox (bodies logged and listed at GET /dev/outbox, to be read); else a mailer that logs recipient
 * and subject only, with one warning at start-up. The outbox is opt-in, not "anything but production", so a
 * deployment that forgets a variable cannot end up handing out reset tokens.
 */
export function mailerFromConfig(
  config: { DEV_OUTBOX: boolean; SMTP_URL?: string | undefined; MAIL_FROM: string },
  logger: Logger,
): Mailer {
  if (config.SMTP_URL) return createSmtpMailer(config.SMTP_URL, config.MAIL_FROM);
  if (config.DEV_OUTBOX) return new DevOutbox(logger);
  logger.warn(
    'SMTP_URL is not set: verification and password reset mails are not sent (only their recipient and subject are logged; in development, DEV_OUTBOX=true keeps them readable)',
  );
  return createLogOnlyMailer(logger);
}

export function createSmtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(mail) {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
    },
  };
}
