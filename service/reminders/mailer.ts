// Sending through SMTP with nodemailer (CAF_SMTP_URL takes whatever nodemailer's URL form does: smtp:// or smtps://,
// user and password, ?requireTLS=true, ...). A send is tried a few times with growing pauses; an address the server
// refuses for good (5xx) is reported, not retried.
import nodemailer from 'nodemailer';
import type { Message } from './messages';

export interface OutgoingMail extends Message {
  from: string;
  to: string[];
  messageId: string;
}

export interface SendResult {
  messageId: string;
  accepted: string[];
  refused: { email: string; reason: string }[];
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<SendResult>;
  close(): void;
}

/** Every recipient refused for good: retrying cannot help. */
export class RefusedError extends Error {
  constructor(readonly refused: { email: string; reason: string }[]) {
    super(`every recipient was refused: ${refused.map((r) => `${r.email} (${r.reason})`).join(', ')}`);
    this.name = 'RefusedError';
  }
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  rejected?: string[];
  rejectedErrors?: SmtpError[];
  recipient?: string;
}

const reasonOf = (e: SmtpError | undefined): string => (e?.response ?? e?.message ?? 'refused').slice(0, 300);

export function smtpMailer(url: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    async send(mail) {
      try {
        const info = await transport.sendMail({
          from: mail.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: mail.messageId,
        });
        const rejected = (info.rejected ?? []).map(String);
        const errors = ((info as { rejectedErrors?: SmtpError[] }).rejectedErrors ?? []) as SmtpError[];
        return {
          messageId: info.messageId,
          accepted: (info.accepted ?? []).map(String),
          refused: rejected.map((email) => ({
            email,
            reason: reasonOf(errors.find((e) => e.recipient === email) ?? errors[0]),
          })),
        };
      } catch (error) {
        const e = error as SmtpError;
        if (e.code === 'EENVELOPE' && (e.responseCode ?? 0) >= 500) {
          const rejected = e.rejected?.length ? e.rejected : mail.to;
          throw new RefusedError(
            rejected.map((email) => ({
              email,
              reason: reasonOf(e.rejectedErrors?.find((r) => r.recipient === email) ?? e),
            })),
          );
        }
        throw error;
      }
    },
    close() {
      transport.close();
    },
  };
}

export interface RetryPolicy {
  /** Tries within one run. */
  attempts: number;
  /** The pause before the second try; each next one is four times longer. */
  baseMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseMs: 2_000 };

export type Delivery =
  | { ok: true; result: SendResult; attempts: number }
  | { ok: false; refused: { email: string; reason: string }[]; attempts: number; error: string; permanent: boolean };

/** Sends with up to `attempts` tries; never throws. */
export async function deliver(
  mailer: Mailer,
  mail: OutgoingMail,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<Delivery> {
  let lastError = '';
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    try {
      return { ok: true, result: await mailer.send(mail), attempts: attempt };
    } catch (error) {
      if (error instanceof RefusedError) {
        return { ok: false, refused: error.refused, attempts: attempt, error: error.message, permanent: true };
      }
      lastError =
        error instanceof Error ? `${(error as SmtpError).code ?? error.name}: ${error.message}` : String(error);
      if (attempt < policy.attempts) await new Promise((r) => setTimeout(r, policy.baseMs * 4 ** (attempt - 1)));
    }
  }
  return { ok: false, refused: [], attempts: policy.attempts, error: lastError.slice(0, 500), permanent: false };
}
