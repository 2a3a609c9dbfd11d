// Failed authentications, counted per source (the client's address, as `trust proxy` resolves it) and per presented
// credential, in a sliding window. A source or a credential over the limit is answered 429 instead of 401, but only
// for credentials that fail: a valid token or session is never refused, whatever others did from the same address
// (the proxy's address when trust proxy is unset), so bad tokens sent by anyone cannot lock the coordinator out.
// Tokens have 256 random bits: the lockout slows noise and misconfigured clients, secrecy does not depend on it.
import type { Request } from 'express';
import { createHash } from 'node:crypto';
import { CafError } from '../../plan/errors';

export interface LockoutOptions {
  /** Failures allowed per source, and per credential, in one window. */
  limit: number;
  windowMs: number;
  /** The clock (tests pin it). */
  now?: () => number;
}

/** The most keys kept: beyond it the oldest are forgotten first, so a flood of addresses cannot grow memory. */
const MAX_KEYS = 50_000;

export class Lockout {
  private readonly failures = new Map<string, number[]>();
  private readonly now: () => number;

  constructor(private readonly options: LockoutOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The keys a failure with this credential from this request counts against. */
  keys(req: Request, credential: string | undefined): string[] {
    const keys = [`source:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`];
    if (credential !== undefined && credential !== '') {
      keys.push(`credential:${createHash('sha256').update(credential).digest('base64url')}`);
    }
    return keys;
  }

  /** True when any of the keys has used up its failures in the window. */
  locked(keys: readonly string[]): boolean {
    return keys.some((k) => this.recent(k).length >= this.options.limit);
  }

  fail(keys: readonly string[]): void {
    for (const key of keys) {
      const times = this.recent(key);
      times.push(this.now());
      // Re-inserted last: Map order is the eviction order.
      this.failures.delete(key);
      this.failures.set(key, times.slice(-this.options.limit));
    }
    while (this.failures.size > MAX_KEYS) this.failures.delete(this.failures.keys().next().value!);
  }

  /** Failures still inside the window; forgets the key when none is left. */
  private recent(key: string): number[] {
    const times = this.failures.get(key);
    if (!times) return [];
    const since = this.now() - this.options.windowMs;
    const kept = times.filter((t) => t > since);
    if (kept.length === 0) this.failures.delete(key);
    else if (kept.length !== times.length) this.failures.set(key, kept);
    return kept;
  }

  /**
   * A credential that failed: 429 when its source or the credential is locked out (this failure counted too),
   * otherwise the given 401. The caller throws what it returns.
   */
  failure(req: Request, credential: string | undefined, error: CafError): CafError {
    const keys = this.keys(req, credential);
    const wasLocked = this.locked(keys);
    this.fail(keys);
    return wasLocked ? lockedOut(this.options.windowMs) : error;
  }
}

export function lockedOut(windowMs: number): CafError {
  const minutes = Math.ceil(windowMs / 60_000);
  return new CafError(
    'auth-rate-limited',
    {
      ro: `Prea multe încercări cu tokenuri greșite de la această adresă sau cu acest token; încercați din nou peste ${minutes} minute. Un token valid este primit oricând.`,
      en: `Too many attempts with wrong tokens from this address or with this token; try again in ${minutes} minutes. A valid token is always accepted.`,
    },
    429,
  );
}
