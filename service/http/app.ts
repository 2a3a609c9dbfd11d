// The service's HTTP face: createApp builds the Express app without listening, so the service, the tests and the
// other parts (drop folder status, the coordinator's page) mount the same thing. Layers, outermost first: request
// ids and logs, security headers, CORS for the add-in's origin only, rate limits, authentication, the routes, and
// one error handler that answers {code, message_ro, message_en}.
import cookieParser from 'cookie-parser';
import express, { type Express, type Router } from 'express';
import rateLimit from 'express-rate-limit';
import helmet from 'helmet';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { Config } from '../config';
import type { MergeRunner } from '../jobs/merge';
import type { Store } from '../store/store';
import { authenticate, sessionCookieOf, sessionOf, unauthorized } from './auth';
import { errorHandler, sendError } from './errors';
import { Lockout } from './lockout';
import { apiRoutes } from './routes';
import { reminderRoutes } from '../reminders/routes';
import { mountMetrics } from '../admin/metrics';

export interface AppDeps {
  store: Store;
  config: Config;
  /** The merge runner the service schedules; routes run merges and resolutions through it (one at a time). */
  merges: MergeRunner;
  logger?: Logger;
  /** Extra routers (the coordinator's page, source status), mounted after /api and before the 404 answer. */
  routers?: { path: string; router: Router }[];
  /** The clock for progress (tests pin it). */
  now?: () => Date;
}

const REQUEST_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;

/** CAF_TRUST_PROXY as Express takes it: `true`/`false`, a hop count, or addresses, subnets and names (`loopback`). */
export function trustProxyValue(setting: string): boolean | number | string {
  if (setting === 'true') return true;
  if (setting === 'false') return false;
  if (/^\d+$/.test(setting)) return Number(setting);
  return setting;
}

export function createApp(deps: AppDeps): Express {
  const { config } = deps;
  const logger = deps.logger ?? pino({ level: config.logLevel });
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  mountMetrics(app, deps);
  // Behind a reverse proxy (CAF_TRUST_PROXY): the client's address and scheme come from X-Forwarded-For/-Proto,
  // so lockouts count per client, not per proxy, and the session cookie is Secure when the client used HTTPS.
  if (config.trustProxy !== undefined) app.set('trust proxy', trustProxyValue(config.trustProxy));
  // One lockout for every credential path: API tokens, sign-in, page sessions.
  const lockout = new Lockout({ limit: config.authFailuresPer15Min, windowMs: 15 * 60_000 });

  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      customLogLevel: (_req, res, error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    }),
  );

  // The API: strict headers (no framing, no scripts); the add-in and the page get their own policy below.
  const api = express.Router();
  api.use(helmet());
  api.use((req, res, next) => {
    const origin = req.headers.origin;
    if (origin && config.addinOrigin && origin === config.addinOrigin) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      if (req.method === 'OPTIONS') {
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE');
        res.setHeader(
          'Access-Control-Allow-Headers',
          'Authorization, Content-Type, X-Request-Id, X-File-Name, X-CAF-Client',
        );
        res.setHeader('Access-Control-Max-Age', '600');
        res.status(204).end();
        return;
      }
    }
    next();
  });
  api.use(
    rateLimit({
      windowMs: 60_000,
      limit: config.rateLimitPerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (_req, res) =>
        sendError(res, 429, 'rate-limited', {
          ro: 'Prea multe cereri; încercați din nou peste un minut.',
          en: 'Too many requests; try again in a minute.',
        }),
    }),
  );
  api.use(cookieParser());
  api.use(authenticate(deps.store, config, lockout));
  api.use(apiRoutes({ ...deps, logger, lockout }));
  api.use(reminderRoutes(deps));
  api.use((_req, res) =>
    sendError(res, 404, 'not-found', { ro: 'Nu există această adresă în API.', en: 'No such API endpoint.' }),
  );
  api.use(errorHandler());
  app.use('/api', api);

  // Pages: the add-in runs framed inside Excel (desktop and web), so framing by Office hosts is allowed here.
  const pages = helmet({
    frameguard: false,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", 'https://appsforoffice.microsoft.com'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: [
          "'self'",
          'https://*.office.com',
          'https://*.officeapps.live.com',
          'https://*.microsoft.com',
          'https://*.sharepoint.com',
        ],
      },
    },
  });
  // The page asks who its cookie belongs to: a cookie that names no live session counts as a failed credential.
  app.get('/page-data/session', cookieParser(), (req, _res, next) => {
    const secret = sessionCookieOf(req);
    if (secret === undefined || sessionOf(deps.store, secret)) return next();
    const error = lockout.failure(req, secret, unauthorized());
    next(error.status === 429 ? error : undefined);
  });
  for (const { path: at, router } of deps.routers ?? []) app.use(at, pages, router);

  const addinDir = path.resolve(config.addinDir);
  app.get('/manifest.xml', pages, (req, res, next) => {
    const file = [path.join(addinDir, 'manifest.xml'), path.resolve('manifest.xml')].find((f) => existsSync(f));
    if (!file) return next();
    res.type('application/xml').sendFile(file);
  });
  app.use(pages, express.static(addinDir, { index: ['taskpane.html', 'index.html'], fallthrough: true }));

  app.use((_req, res) => sendError(res, 404, 'not-found', { ro: 'Pagina nu există.', en: 'No such page.' }));
  app.use(errorHandler());
  return app;
}
