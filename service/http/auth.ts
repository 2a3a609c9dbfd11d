// Who is calling: a coordinator or a unit, by a Bearer token (the add-in, scripts) or by the httpOnly session
// cookie the coordinator's page gets from POST /api/session. Writes made with the cookie must carry the custom
// header X-CAF-CSRF (a browser cannot add it cross-site without a CORS grant) and, when the browser sends one, an
// Origin that is the service's own.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { CafError } from '../../plan/errors';
import type { Config } from '../config';
import type { Store, TokenRecord } from '../store/store';

export const SESSION_COOKIE = 'caf_session';
export const CSRF_HEADER = 'x-caf-csrf';

export interface Principal {
  role: 'coordinator' | 'unit';
  /** Set for unit tokens. */
  unit?: string;
  tokenId: string;
  via: 'bearer' | 'cookie';
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

/** Sets res.locals.principal when a valid token is presented; a presented but invalid token is a 401 at once. */
export function authenticate(store: Store, config: Config): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const fromHeader = bearer(req);
    const fromCookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    const secret = fromHeader ?? fromCookie;
    if (secret === undefined) return next();
    const token = store.findToken(secret);
    if (!token) return next(unauthorized());
    const via = fromHeader !== undefined ? 'bearer' : 'cookie';
    checkCsrf(req, config, via);
    res.locals.principal = principalOf(token, via);
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
