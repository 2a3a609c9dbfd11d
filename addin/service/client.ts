// A typed client of the sync service's HTTP API, for the task pane (browser code, no Office.js). Every call has a
// timeout; calls that are safe to repeat are retried a bounded number of times with exponential backoff when the
// network or the service fails in a way that may pass; every answer is parsed with its zod schema before anyone
// uses it. Failures are CafError values with a Romanian and an English message (./errors.ts).
import type { z } from 'zod';
import { CafError } from '../../plan/errors';
import * as errors from './errors';
import {
  ConflictRecord,
  ErrorBody,
  Health,
  PlanInfo,
  Receipt,
  RevisionJson,
  type RowsSubmission,
  Session,
  type Resolution,
} from './schemas';

export interface ClientOptions {
  /** The service's address as normalizeServiceUrl gives it (no trailing slash). */
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  /** Per attempt. */
  timeoutMs?: number;
  /** Extra attempts after the first, for transient failures only. */
  retries?: number;
  /** Wait before the first retry; doubled for each next one. */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** navigator.onLine where there is one. */
  isOnline?: () => boolean;
}

/** Node's TLS error codes (undici puts them on TypeError.cause); a browser hides them behind "Failed to fetch". */
const CERTIFICATE_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_REVOKED',
]);

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The address as typed (`server.primarie.ro`, `https://server/caf/`) made into a base URL: https added when no
 * scheme is given, http accepted only for this computer, no query, no trailing slash.
 */
export function normalizeServiceUrl(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') throw errors.notConfigured();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
  } catch {
    throw errors.badAddress(trimmed);
  }
  const local = LOCAL_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) throw errors.badAddress(trimmed);
  if (url.search || url.hash || url.username || url.password) throw errors.badAddress(trimmed);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

interface RequestOptions<T> {
  schema: z.ZodType<T> | null;
  body?: unknown;
  auth?: boolean;
  /** Safe to send twice: GETs, and submissions (the service answers the same bytes with the same receipt). */
  idempotent?: boolean;
  binary?: boolean;
}

export interface Download {
  blob: Blob;
  fileName: string;
}

export class ServiceClient {
  readonly baseUrl: string;
  private readonly token: string;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly isOnline: () => boolean;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl;
    this.token = options.token.trim();
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? 20_000;
    this.retries = options.retries ?? 2;
    this.backoffMs = options.backoffMs ?? 800;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.isOnline =
      options.isOnline ??
      (() => (typeof navigator === 'undefined' || typeof navigator.onLine !== 'boolean' ? true : navigator.onLine));
  }

  // ------------------------------------------------------------------------------------------------ the API

  health(): Promise<Health> {
    return this.request('GET', '/api/health', { schema: Health, auth: false, idempotent: true });
  }

  /** Who the token belongs to: the token check of "Check connection". */
  session(): Promise<Session> {
    return this.request('GET', '/api/session', { schema: Session, idempotent: true });
  }

  plan(planId: string): Promise<PlanInfo> {
    return this.request('GET', `/api/plans/${enc(planId)}`, { schema: PlanInfo, idempotent: true });
  }

  revision(planId: string, revision: number): Promise<RevisionJson> {
    return this.request('GET', `/api/plans/${enc(planId)}/revisions/${revision}.json`, {
      schema: RevisionJson,
      idempotent: true,
    });
  }

  conflicts(planId: string, status: 'open' | 'resolved' = 'open'): Promise<ConflictRecord[]> {
    return this.request('GET', `/api/plans/${enc(planId)}/conflicts?status=${status}`, {
      schema: ConflictRecord.array(),
      idempotent: true,
    });
  }

  submitRows(planId: string, submission: RowsSubmission): Promise<Receipt> {
    return this.request('POST', `/api/plans/${enc(planId)}/submissions`, {
      schema: Receipt,
      // Sent as built: the service judges the rows and answers a refusal with its own reason in both languages.
      body: submission,
      idempotent: true,
    });
  }

  /**
   * Settles a conflict on the service. Retried too: when an attempt reached the service but its answer was lost,
   * the next one is told `conflict-resolved`, which the caller treats as done (it re-reads the plan anyway).
   */
  resolve(conflictId: number, resolution: Resolution): Promise<ConflictRecord> {
    return this.request('POST', `/api/conflicts/${conflictId}/resolve`, {
      schema: ConflictRecord,
      body: resolution,
      idempotent: true,
    });
  }

  /** A department copy of the current revision, as the service makes it (GET /copies/:unit.xlsx). */
  async copy(planId: string, unit: string): Promise<Download> {
    const blob = await this.request<Blob>('GET', `/api/plans/${enc(planId)}/copies/${enc(unit)}.xlsx`, {
      schema: null,
      binary: true,
      idempotent: true,
    });
    return { blob, fileName: `${planId}-${unit}.xlsx` };
  }

  // ------------------------------------------------------------------------------------------------ transport

  private async request<T>(method: string, path: string, options: RequestOptions<T>): Promise<T> {
    if (options.auth !== false && this.token === '') throw errors.tokenMissing();
    const attempts = 1 + (options.idempotent ? this.retries : 0);
    let last: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await this.sleep(this.backoffMs * 2 ** (attempt - 1));
      try {
        return await this.once(method, path, options);
      } catch (error) {
        last = error;
        if (!errors.isTransient(error)) throw error;
      }
    }
    throw last;
  }

  private async once<T>(method: string, path: string, options: RequestOptions<T>): Promise<T> {
    const headers: Record<string, string> = { accept: options.binary ? '*/*' : 'application/json' };
    if (options.auth !== false) headers.authorization = `Bearer ${this.token}`;
    // Names the channel in the receipt ("prin add-in"); a script with a token is labelled otherwise.
    headers['x-caf-client'] = 'addin';
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      let response: Response;
      try {
        response = await this.fetchFn(this.baseUrl + path, { method, headers, body, signal: controller.signal });
      } catch (error) {
        throw this.networkError(error, controller.signal);
      }
      // The body is read inside the timeout too: a service that dies mid-answer must not hang the pane.
      let payload: unknown;
      try {
        payload = options.binary && response.ok ? await response.blob() : await readJson(response);
      } catch (error) {
        throw this.networkError(error, controller.signal);
      }
      if (!response.ok) throw this.statusError(response, payload);
      if (options.schema === null) return payload as T;
      const parsed = options.schema.safeParse(payload);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw errors.badAnswer(
          `${method} ${path.split('?')[0]}: ${issue ? `${issue.path.join('.')} ${issue.message}` : ''}`,
        );
      }
      return parsed.data;
    } finally {
      clearTimeout(timer);
    }
  }

  private networkError(error: unknown, signal: AbortSignal): CafError {
    if (error instanceof CafError) return error;
    if (signal.aborted) return errors.timeout(Math.round(this.timeoutMs / 1000));
    const origin = new URL(this.baseUrl).origin;
    const code = causeCode(error);
    if (code && CERTIFICATE_CODES.has(code)) return errors.certificate(origin, code);
    if (!this.isOnline()) return errors.offline();
    // A browser reports a refused connection and a refused certificate alike; over https it may be either.
    if (code === undefined && this.baseUrl.startsWith('https:')) return errors.unreachableOrCertificate(origin);
    return errors.unreachable(origin);
  }

  private statusError(response: Response, payload: unknown): CafError {
    const status = response.status;
    if (status === 401) return errors.tokenInvalid();
    if (status === 429) return errors.rateLimited();
    const body = ErrorBody.safeParse(payload);
    if (status >= 500 || (status === 404 && !body.success)) {
      // 404 without our error shape: a proxy in front of a service that is down or moved.
      return status >= 500 ? errors.serviceError(status) : errors.unreachable(new URL(this.baseUrl).origin);
    }
    if (!body.success) return errors.badAnswer(`HTTP ${status}`);
    return new CafError(body.data.code, { ro: body.data.message_ro, en: body.data.message_en }, status);
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

async function readJson(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined;
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // An HTML error page from a proxy, a captive portal: not the service speaking.
    return { __notJson: text.slice(0, 80) };
  }
}

function causeCode(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause && typeof cause === 'object' && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return undefined;
}
