// Who is calling: a coordinator or a unit, by a Bearer token (the add-in, scripts) or by the httpOnly session
// cookie the pages get from POST /api/session. The cookie holds a server-side session id (expiring, revocable,
// carrying the role and unit of the token signed in with), never the token itself. Writes made with the cookie must
// carry the custom header X-CAF-CSRF (a browser cannot add it cross-site without a CORS grant) and, when the browser
// sends one, an Origin that is the service's own. Every credential that fails counts in the lockout (lockout.ts).
import type { CookieOptions, NextFunction, Request, RequestHandler, Response } from 'express';
import { CafError } from '../../plan/errors';
import type { Config } from '../config';
import type { SessionRecord, Store, TokenRecord } from '../store/store';
import type { Lockout } from './lockout';

export const SESSION_COOKIE = 'caf_session';
export const CSRF_HEADER = 'x-caf-csrf';

export interface Principal {
  role: 'coordinator' | 'unit';
  /** Set for unit tokens. */
  unit?: string;
  tokenId: string;
  via: 'bearer' | 'cookie';
  /** The page session, for sign-out. */
  sessionId?: string;
  /** For the audit log: `coordinator:ab12cd34ef56`, `unit:DMRU:ab12cd34ef56`. */
  actor: string;
}

export function principalOf(token: TokenRecord, via: Principal['via']): Principal {
  return token.role === 'coordinator'
    ? { role: 'coordinator', tokenId: token.id, via, actor: `coordinator:${token.id}` }
    : { role: 'unit', unit: token.unit!, tokenId: token.id, via, actor: `unit:${token.unit}:${token.id}` };
}

/** The caller, set by `authenticate`; throws when the route forgot to require it. */
export function principal(res: Response): Principal {
  const p = res.locals.principal as Principal | undefined;
  if (!p) throw unauthorized();
  return p;
}

export const unauthorized = (): CafError =>
  new CafError(
    'auth-required',
    {
      ro: 'Este nevoie de un token de acces valid (antetul Authorization: Bearer ... sau sesiunea paginii).',
      en: 'A valid access token is needed (the Authorization: Bearer ... header or the page session).',
    },
    401,
  );

export const forbidden = (ro: string, en: string): CafError => new CafError('forbidden', { ro, en }, 403);

function bearer(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : '';
}

function selfOrigin(req: Request, config: Config): string[] {
  const own = `${req.protocol}://${req.headers.host ?? ''}`;
  return [own, config.publicOrigin, config.addinOrigin].filter((o): o is string => Boolean(o));
}

/** Rejects a cross-site write: checks Origin (when sent) and, for cookie sessions, the custom header. */
export function checkCsrf(req: Request, config: Config, via: Principal['via'] | 'login'): void {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return;
  const origin = req.headers.origin;
  const bad = (): CafError =>
    new CafError(
      'csrf',
      {
        ro: 'Cerere refuzată: nu vine de pe pagina serviciului.',
        en: 'Request refused: it does not come from the service’s own page.',
      },
      403,
    );
  if (via === 'bearer') return;
  if (origin !== undefined && !selfOrigin(req, config).includes(origin)) throw bad();
  if (via === 'cookie' && req.headers[CSRF_HEADER] !== '1') throw bad();
}

export function sessionCookieOf(req: Request): string | undefined {
  return (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
}

/** The live session and token a cookie value names, or undefined. */
export function sessionOf(
  store: Store,
  secret: string | undefined,
): { session: SessionRecord; token: TokenRecord } | undefined {
  return secret ? store.findSession(secret) : undefined;
}

/** Secure whenever the request came by HTTPS (through a trusted proxy too) or the service's public origin is. */
function cookieOptions(req: Request, config: Config): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'strict',
    secure: req.secure || config.publicOrigin?.startsWith('https:') === true,
    path: '/',
  };
}

export function setSessionCookie(req: Request, res: Response, config: Config, session: SessionRecord, secret: string) {
  res.cookie(SESSION_COOKIE, secret, {
    ...cookieOptions(req, config),
    expires: new Date(session.expiresAt),
  });
}

export function clearSessionCookie(req: Request, res: Response, config: Config): void {
  res.clearCookie(SESSION_COOKIE, cookieOptions(req, config));
}

/**
 * Sets res.locals.principal when a valid token or session is presented; a presented but invalid one is a 401 at
 * once (429 once its source or itself failed too often; a valid one is never refused for that).
 */
export function authenticate(store: Store, config: Config, lockout: Lockout): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const fromHeader = bearer(req);
    if (fromHeader !== undefined) {
      const token = store.findToken(fromHeader);
      if (!token) return next(lockout.failure(req, fromHeader, unauthorized()));
      checkCsrf(req, config, 'bearer');
      res.locals.principal = principalOf(token, 'bearer');
      return next();
    }
    const fromCookie = sessionCookieOf(req);
    if (fromCookie === undefined) return next();
    const found = sessionOf(store, fromCookie);
    if (!found) return next(lockout.failure(req, fromCookie, unauthorized()));
    checkCsrf(req, config, 'cookie');
    res.locals.principal = { ...principalOf(found.token, 'cookie'), sessionId: found.session.id };
    next();
  };
}

export function requireAuth(): RequestHandler {
  return (_req, res, next) => {
    principal(res);
    next();
  };
}

export function requireCoordinator(): RequestHandler {
  return (_req, res, next) => {
    if (principal(res).role !== 'coordinator') {
      throw forbidden('Doar coordonatorul CAF poate face aceasta.', 'Only the CAF coordinator can do this.');
    }
    next();
  };
}
