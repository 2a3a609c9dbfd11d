// Every error leaves the API as JSON {code, message_ro, message_en}, with the HTTP status that fits; never a stack
// trace. Errors a user can cause are CafError; body-parser, zod and unknown errors are mapped here.
import type { ErrorRequestHandler, Response } from 'express';
import { z } from 'zod';
import { CafError, isCafError } from '../../plan/errors';
import type { Bilingual } from '../../plan/model';

export interface ErrorBody {
  code: string;
  message_ro: string;
  message_en: string;
}

export function sendError(res: Response, status: number, code: string, message: Bilingual): void {
  if (res.headersSent) return;
  res.status(status).json({ code, message_ro: message.ro, message_en: message.en } satisfies ErrorBody);
}

export const notFound = (what: { ro: string; en: string } = { ro: 'Resursa', en: 'The resource' }): CafError =>
  new CafError('not-found', { ro: `${what.ro} nu există.`, en: `${what.en} does not exist.` }, 404);

const BODY_ERRORS: Record<string, { status: number; code: string; message: Bilingual }> = {
  'entity.too.large': {
    status: 413,
    code: 'body-too-large',
    message: { ro: 'Cererea este prea mare.', en: 'The request body is too large.' },
  },
  'entity.parse.failed': {
    status: 400,
    code: 'json-malformed',
    message: { ro: 'Corpul cererii nu este JSON valid.', en: 'The request body is not valid JSON.' },
  },
  'encoding.unsupported': {
    status: 415,
    code: 'encoding-unsupported',
    message: { ro: 'Codificarea cererii nu este acceptată.', en: 'The request encoding is not supported.' },
  },
  'charset.unsupported': {
    status: 415,
    code: 'charset-unsupported',
    message: {
      ro: 'Setul de caractere nu este acceptat (folosiți UTF-8).',
      en: 'The charset is not supported (use UTF-8).',
    },
  },
  'request.aborted': {
    status: 400,
    code: 'request-aborted',
    message: { ro: 'Cererea a fost întreruptă.', en: 'The request was aborted.' },
  },
  'request.size.invalid': {
    status: 400,
    code: 'request-size-invalid',
    message: { ro: 'Lungimea cererii nu corespunde.', en: 'The request length does not match its body.' },
  },
};

export function zodMessage(error: z.ZodError): Bilingual {
  const detail = error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(corp)'}: ${i.message}`)
    .join('; ');
  return { ro: `Date invalide: ${detail}`, en: `Invalid data: ${detail.replace('(corp)', '(body)')}` };
}

export function errorHandler(): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (isCafError(error)) return sendError(res, error.status, error.code, error.messages);
    if (error instanceof z.ZodError) return sendError(res, 400, 'invalid-request', zodMessage(error));
    const type = (error as { type?: string }).type;
    const known = type ? BODY_ERRORS[type] : undefined;
    if (known) return sendError(res, known.status, known.code, known.message);
    const status = (error as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendError(res, status, 'bad-request', { ro: 'Cerere greșită.', en: 'Bad request.' });
    }
    req.log?.error({ err: error }, 'unhandled error');
    sendError(res, 500, 'internal', {
      ro: 'Eroare internă a serviciului; a fost înregistrată în jurnal.',
      en: 'Internal error of the service; it has been logged.',
    });
  };
}
