// `GET /metrics` for Prometheus (prom-client's text format). Off unless `CAF_METRICS_TOKEN` is set; then a scrape
// must send `Authorization: Bearer <that token>`. The counts come from the database at scrape time (so they survive
// restarts and agree with the pages); request durations are measured in this process.
import type { Express, NextFunction, Request, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Cron } from 'croner';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Config } from '../config';
import type { MergeRunner } from '../jobs/merge';
import type { Store } from '../store/store';
import { diskSpace, nightlyMerge } from './health';
import { APP_VERSION, CODE_SCHEMA_VERSION } from './schema';

export interface MetricsDeps {
  store: Store;
  config: Pick<Config, 'mergeCron' | 'timezone' | 'dataDir' | 'metricsToken'>;
  merges: Pick<MergeRunner, 'running'>;
}

const MERGE_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900];

export function metricsRegistry(deps: MetricsDeps): { registry: Registry; requestDuration: Histogram } {
  const { store, config } = deps;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'caf_plan_' });
  const rows = <T>(sql: string): T[] => store.db.prepare(sql).all() as T[];

  new Gauge({
    name: 'caf_plan_info',
    help: 'The running version and the database schema it writes.',
    labelNames: ['version', 'schema'],
    registers: [registry],
    collect() {
      this.reset();
      this.set({ version: APP_VERSION, schema: String(CODE_SCHEMA_VERSION) }, 1);
    },
  });
  new Gauge({
    name: 'caf_plan_database_up',
    help: '1 when the database answers and the blob folder is writable.',
    registers: [registry],
    collect() {
      this.set(store.healthy() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'caf_plan_submissions',
    help: 'Submissions stored, by plan and outcome (pending ones wait for the next merge).',
    labelNames: ['plan', 'outcome'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of rows<{ plan: string; outcome: string; n: number }>(
        'SELECT plan_id AS plan, outcome, COUNT(*) AS n FROM submissions GROUP BY plan_id, outcome',
      )) {
        this.set({ plan: r.plan, outcome: r.outcome }, r.n);
      }
    },
  });
  new Gauge({
    name: 'caf_plan_merges',
    help: 'Merges recorded, by plan and status.',
    labelNames: ['plan', 'status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of rows<{ plan: string; status: string; n: number }>(
        'SELECT plan_id AS plan, status, COUNT(*) AS n FROM merges GROUP BY plan_id, status',
      )) {
        this.set({ plan: r.plan, status: r.status }, r.n);
      }
    },
  });
  new Histogram({
    name: 'caf_plan_merge_duration_seconds',
    help: 'How long finished merges took, by status (from the merge records).',
    labelNames: ['status'],
    buckets: MERGE_BUCKETS,
    registers: [registry],
    collect() {
      this.reset();
      for (const r of rows<{ status: string; started: string; finished: string }>(
        'SELECT status, started_at AS started, finished_at AS finished FROM merges WHERE finished_at IS NOT NULL',
      )) {
        const seconds = (Date.parse(r.finished) - Date.parse(r.started)) / 1000;
        if (Number.isFinite(seconds) && seconds >= 0) this.observe({ status: r.status }, seconds);
      }
    },
  });
  new Gauge({
    name: 'caf_plan_last_merge_finished_timestamp_seconds',
    help: 'When the latest finished merge of each plan ended (Unix time).',
    labelNames: ['plan'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of rows<{ plan: string; finished: string }>(
        'SELECT plan_id AS plan, MAX(finished_at) AS finished FROM merges WHERE finished_at IS NOT NULL GROUP BY plan_id',
      )) {
        this.set({ plan: r.plan }, Date.parse(r.finished) / 1000);
      }
    },
  });
  const schedule = new Cron(config.mergeCron, { timezone: config.timezone, paused: true });
  new Gauge({
    name: 'caf_plan_nightly_merge_ok',
    help: '0 when the latest nightly merge of the plan failed or did not run; 1 otherwise.',
    labelNames: ['plan'],
    registers: [registry],
    collect() {
      this.reset();
      const now = new Date();
      for (const plan of store.listPlans()) {
        const state = nightlyMerge(store, plan, schedule, now).state;
        this.set({ plan: plan.id }, state === 'failed' || state === 'missed' ? 0 : 1);
      }
    },
  });
  new Gauge({
    name: 'caf_plan_merge_running',
    help: '1 while a merge or a conflict resolution runs in this process.',
    registers: [registry],
    collect() {
      this.set(deps.merges.running ? 1 : 0);
    },
  });
  new Gauge({
    name: 'caf_plan_conflicts_open',
    help: 'Conflicts waiting for the coordinator, by plan.',
    labelNames: ['plan'],
    registers: [registry],
    collect() {
      this.reset();
      for (const plan of store.listPlans()) this.set({ plan: plan.id }, 0);
      for (const r of rows<{ plan: string; n: number }>(
        "SELECT plan_id AS plan, COUNT(*) AS n FROM conflicts WHERE status = 'open' GROUP BY plan_id",
      )) {
        this.set({ plan: r.plan }, r.n);
      }
    },
  });
  new Gauge({
    name: 'caf_plan_disk_free_bytes',
    help: 'Free space for the service on the file system of the data folder.',
    registers: [registry],
    collect() {
      const disk = diskSpace(config.dataDir);
      if (disk) this.set(disk.freeBytes);
    },
  });
  new Gauge({
    name: 'caf_plan_disk_total_bytes',
    help: 'Size of the file system of the data folder.',
    registers: [registry],
    collect() {
      const disk = diskSpace(config.dataDir);
      if (disk) this.set(disk.totalBytes);
    },
  });
  const requestDuration = new Histogram({
    name: 'caf_plan_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return { registry, requestDuration };
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Adds the request timer and `GET /metrics` to the app, first in line, when a metrics token is configured; does
 * nothing otherwise (the path then answers 404 like any unknown one).
 */
export function mountMetrics(app: Express, deps: MetricsDeps): void {
  const token = deps.config.metricsToken;
  if (!token) return;
  const { registry, requestDuration } = metricsRegistry(deps);
  const expected = digest(token);
  app.use((req: Request, res: Response, next: NextFunction) => {
    const end = requestDuration.startTimer();
    res.once('finish', () => {
      // The route pattern, never the raw path: ids in paths would make a series per plan, unit and submission.
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      end({ method: req.method, route, status_code: String(res.statusCode) });
    });
    next();
  });
  app.get('/metrics', async (req, res) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m || !timingSafeEqual(digest(m[1]!), expected)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="caf-plan metrics"');
      res.status(401).type('text/plain').send('metrics token required / este nevoie de tokenul pentru metrici\n');
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    res.type(registry.contentType).send(await registry.metrics());
  });
}
