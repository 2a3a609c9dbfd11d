// Service configuration: environment variables, overridden by command-line flags, parsed once with zod.
// The defaults run on a fresh machine with nothing set: plain HTTP on 127.0.0.1:3000, data in ./data.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { Cron } from 'croner';

const Port = z.coerce.number().int().min(0).max(65535);
const Bytes = z.coerce.number().int().positive();

const CronExpr = z.string().refine(
  (expr) => {
    try {
      new Cron(expr, { paused: true }).stop();
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid cron expression' },
);

const Origin = z
  .string()
  .url()
  .transform((u) => new URL(u).origin);

export const Config = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: Port.default(3000),
    dataDir: z.string().min(1).default('./data'),
    mergeCron: CronExpr.default('0 2 * * *'),
    timezone: z.string().min(1).default('Europe/Bucharest'),
    tlsCert: z.string().min(1).optional(),
    tlsKey: z.string().min(1).optional(),
    /** The add-in's origin (scheme://host:port): the only origin CORS lets call the API from a browser. */
    addinOrigin: Origin.optional(),
    /** The origin the service is reached at, for CSRF checks behind a proxy; by default the request's own host. */
    publicOrigin: Origin.optional(),
    /** Largest .xlsx accepted in one upload. */
    maxUploadBytes: Bytes.default(10 * 1024 * 1024),
    /** Largest JSON body (rows from the add-in). */
    maxJsonBytes: Bytes.default(2 * 1024 * 1024),
    /** Requests per client address per minute on the API. */
    rateLimitPerMinute: z.coerce.number().int().positive().default(600),
    /** Failed authentications per client address per 15 minutes before it is shut out. */
    authFailuresPer15Min: z.coerce.number().int().positive().default(50),
    /**
     * Rows a submission may hold that are not actions of its plan (added, without an id, unknown or repeated ids):
     * at most the plan's action count and at most this; a submission with more is refused before it is stored.
     */
    maxExtraRows: z.coerce.number().int().nonnegative().default(500),
    /**
     * Behind a reverse proxy: which proxies' X-Forwarded-For / X-Forwarded-Proto to believe, as Express's `trust
     * proxy` takes it (`loopback`, an address or subnet list, a hop count). Unset: none, the socket's address counts.
     */
    trustProxy: z.string().min(1).optional(),
    /** Hours a page session lasts after sign-in. */
    sessionHours: z.coerce
      .number()
      .positive()
      .max(24 * 30)
      .default(12),
    /** Days before a due date counts as due soon (SPEC 3). */
    soonDays: z.coerce.number().int().nonnegative().default(30),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** The build output of `npm run build`: manifest.xml and addin/ (the URLs the manifest names); served when there. */
    addinDir: z.string().min(1).default('dist'),
    /** The workbook imported on first start when the store holds no plan; '' for none. */
    samplePlan: z.string().default('samples/plan-sector1.xlsx'),
    /** SMTP for reminders (service/reminders), as nodemailer takes it: `smtps://user:pass@mail.example.ro`. */
    smtpUrl: z
      .string()
      .regex(/^smtps?:\/\//, 'an smtp:// or smtps:// URL')
      .optional(),
    /** The sender of reminders: `"Coordonator CAF" <caf@primarie.example.ro>`. */
    mailFrom: z.string().min(3).optional(),
    /** When reminders go out (in `timezone`): each working day at 08:00. */
    remindCron: CronExpr.default('0 8 * * 1-5'),
    /** Bearer token Prometheus sends to GET /metrics; unset, /metrics is off (404). */
    metricsToken: z.string().min(16, 'at least 16 characters').optional(),
    /** Test hook: a merge sleeps this long after writing its blobs, before its final transaction. */
    testPauseMergeMs: z.coerce.number().int().nonnegative().default(0),
  })
  .refine((c) => (c.tlsCert === undefined) === (c.tlsKey === undefined), {
    message: 'TLS needs both a certificate and a key (--tls-cert and --tls-key)',
    path: ['tlsCert'],
  });
export type Config = z.infer<typeof Config>;

const ENV: Record<string, keyof Config> = {
  CAF_HOST: 'host',
  CAF_PORT: 'port',
  PORT: 'port',
  CAF_DATA_DIR: 'dataDir',
  MERGE_CRON: 'mergeCron',
  MERGE_TZ: 'timezone',
  CAF_TLS_CERT: 'tlsCert',
  CAF_TLS_KEY: 'tlsKey',
  CAF_ADDIN_ORIGIN: 'addinOrigin',
  CAF_PUBLIC_ORIGIN: 'publicOrigin',
  CAF_MAX_UPLOAD_BYTES: 'maxUploadBytes',
  CAF_MAX_JSON_BYTES: 'maxJsonBytes',
  CAF_RATE_LIMIT: 'rateLimitPerMinute',
  CAF_AUTH_FAILURES: 'authFailuresPer15Min',
  CAF_SOON_DAYS: 'soonDays',
  CAF_MAX_EXTRA_ROWS: 'maxExtraRows',
  CAF_TRUST_PROXY: 'trustProxy',
  CAF_SESSION_HOURS: 'sessionHours',
  CAF_LOG_LEVEL: 'logLevel',
  CAF_ADDIN_DIR: 'addinDir',
  CAF_SAMPLE_PLAN: 'samplePlan',
  CAF_TEST_PAUSE_MERGE_MS: 'testPauseMergeMs',
  CAF_SMTP_URL: 'smtpUrl',
  CAF_MAIL_FROM: 'mailFrom',
  REMIND_CRON: 'remindCron',
  CAF_METRICS_TOKEN: 'metricsToken',
};

const FLAGS = {
  host: { type: 'string' },
  port: { type: 'string' },
  data: { type: 'string' },
  'data-dir': { type: 'string' },
  'merge-cron': { type: 'string' },
  timezone: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'addin-origin': { type: 'string' },
  'public-origin': { type: 'string' },
  'max-upload-bytes': { type: 'string' },
  'log-level': { type: 'string' },
  'addin-dir': { type: 'string' },
  'sample-plan': { type: 'string' },
  'no-sample': { type: 'boolean' },
  lang: { type: 'string' },
} as const;

/** Environment first, then flags (flags win). Throws a ZodError that names the bad setting. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  // PORT is the common convention of hosting platforms; CAF_PORT wins over it.
  for (const [name, key] of Object.entries(ENV).sort(([a], [b]) => (a === 'PORT' ? -1 : b === 'PORT' ? 1 : 0))) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const { values } = parseArgs({ args: argv, options: FLAGS, allowPositionals: false, strict: true });
  const flagMap: [keyof typeof FLAGS, keyof Config][] = [
    ['host', 'host'],
    ['port', 'port'],
    ['data', 'dataDir'],
    ['data-dir', 'dataDir'],
    ['merge-cron', 'mergeCron'],
    ['timezone', 'timezone'],
    ['tls-cert', 'tlsCert'],
    ['tls-key', 'tlsKey'],
    ['addin-origin', 'addinOrigin'],
    ['public-origin', 'publicOrigin'],
    ['max-upload-bytes', 'maxUploadBytes'],
    ['log-level', 'logLevel'],
    ['addin-dir', 'addinDir'],
    ['sample-plan', 'samplePlan'],
  ];
  for (const [flag, key] of flagMap) {
    const value = (values as Record<string, unknown>)[flag];
    if (value !== undefined) raw[key] = value;
  }
  if (values['no-sample']) raw.samplePlan = '';
  const config = Config.parse(raw);
  return { ...config, dataDir: path.resolve(config.dataDir) };
}

/** The defaults alone, for tests and embedders that pass overrides in code. */
export function configWith(overrides: Partial<Config>): Config {
  return Config.parse(overrides);
}
