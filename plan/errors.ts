// Errors a user can cause carry a stable code and a message in Romanian and English; never a stack trace.
import type { Bilingual } from './model';

export class CafError extends Error {
  readonly code: string;
  readonly messages: Bilingual;
  /** HTTP status the service answers with when this error reaches a client. */
  readonly status: number;

  constructor(code: string, messages: Bilingual, status = 400) {
    super(`${messages.en} (${code})`);
    this.name = 'CafError';
    this.code = code;
    this.messages = messages;
    this.status = status;
  }

  toJSON(): { code: string; message_ro: string; message_en: string } {
    return { code: this.code, message_ro: this.messages.ro, message_en: this.messages.en };
  }
}

export function isCafError(error: unknown): error is CafError {
  return error instanceof CafError;
}
