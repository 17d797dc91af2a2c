/**
 * Text messages as e-mail to a carrier's e-mail-to-SMS gateway, handed to the
 * SMTP relay of SMTP_URL with nodemailer. The sender never touches the
 * database: the service records what was sent, after the relay accepted it.
 */
import { createTransport } from 'nodemailer';
import type { Config } from '../config.js';

/** Subject of every SMS e-mail. Short: gateways put it in front of the 160 characters. */
export const SMS_SUBJECT = 'ECGrid';

export interface SmsMessage {
  /** `<digits>@<carrier gateway>` (domain/cell-carriers.ts) */
  to: string;
  subject: string;
  text: string;
}

export interface SmsSender {
  /** Resolves once the relay has accepted the message; throws SmsRelayUnavailable otherwise. */
  send(message: SmsMessage): Promise<void>;
}

/** The relay could not be reached or refused the message: nothing was sent. */
export class SmsRelayUnavailable extends Error {
  constructor(options?: { cause?: unknown }) {
    super('the SMTP relay did not accept the message', options);
    this.name = 'SmsRelayUnavailable';
  }
}

/** Bounded waits: a dead relay answers the client within seconds, never hangs a request. */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 } as const;

export class SmtpSmsSender implements SmsSender {
  readonly #transport;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    this.#transport = createTransport({ url: smtpUrl, ...TIMEOUTS });
  }

  async send(message: SmsMessage): Promise<void> {
    try {
      const info = await this.#transport.sendMail({ from: this.from, to: message.to, subject: message.subject, text: message.text });
      if (info.rejected.length > 0) throw new Error(`recipient rejected: ${info.response}`);
    } catch (error) {
      throw new SmsRelayUnavailable({ cause: error });
    }
  }
}

/** The sender for SMTP_URL, or null when no relay is configured (messages then only go to the outbox). */
export function createSmsSender(config: Pick<Config, 'smtpUrl' | 'smtpFrom'>): SmsSender | null {
  return config.smtpUrl ? new SmtpSmsSender(config.smtpUrl, config.smtpFrom) : null;
}
