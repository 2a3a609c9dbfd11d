// What an administrator watches: is the database answering, is the disk filling, did last night's merge run and
// succeed, when is the next one, how many submissions wait. `GET /api/health` answers everyone with three words
// (ok, status ok|warning|down, whether a merge runs): enough for an uptime monitor, nothing an outsider can use. A
// coordinator (token or page session) gets the whole report: version, free space, each plan's merges and queue.
import { Cron } from 'croner';
import type { RequestHandler } from 'express';
import { statfsSync } from 'node:fs';
import type { Bilingual } from '../../plan/model';
import type { Config } from '../config';
import type { MergeRunner } from '../jobs/merge';
import type { MergeRecord, PlanRecord, Store } from '../store/store';
import { APP_VERSION, CODE_SCHEMA_VERSION } from './schema';

/** How long after its scheduled time a nightly merge may still be starting before it counts as missed. */
export const NIGHTLY_GRACE_MS = 15 * 60_000;
/** Free space below either of these is a warning: blobs are never deleted, the folder only grows. */
export const DISK_LOW_BYTES = 1 << 30;
export const DISK_LOW_RATIO = 0.05;

export type NightlyState = 'ok' | 'failed' | 'missed' | 'running' | 'not-due';

export interface NightlyMerge {
  state: NightlyState;
  /** The scheduled time the state is about (the latest one at least the grace period ago). */
  expectedAt: string | null;
  merge: Pick<MergeRecord, 'id' | 'status' | 'startedAt' | 'finishedAt' | 'error'> | null;
}

export interface HealthDeps {
  store: Store;
  config: Pick<Config, 'mergeCron' | 'timezone' | 'dataDir'>;
  merges: Pick<MergeRunner, 'running'>;
  now?: () => Date;
}

export interface Warning extends Bilingual {
  code: string;
  plan?: string;
}

/**
 * Last night's merge of a plan: the latest scheduled time at least NIGHTLY_GRACE_MS ago, and the scheduled merge
 * started from then on. None started means it did not run (the service was down, or another merge held the lock).
 */
export function nightlyMerge(store: Store, plan: PlanRecord, schedule: Cron, now: Date): NightlyMerge {
  const [expected] = schedule.previousRuns(1, new Date(now.getTime() - NIGHTLY_GRACE_MS));
  if (!expected || expected.getTime() < Date.parse(plan.createdAt)) {
    return { state: 'not-due', expectedAt: expected?.toISOString() ?? null, merge: null };
  }
  const row = store.db
    .prepare(
      `SELECT id FROM merges WHERE plan_id = ? AND trigger = 'schedule' AND started_at >= ? ORDER BY id DESC LIMIT 1`,
    )
    .get(plan.id, new Date(expected.getTime() - 60_000).toISOString()) as { id: number } | undefined;
  const merge = row ? store.getMerge(row.id) : undefined;
  const summary = merge
    ? {
        id: merge.id,
        status: merge.status,
        startedAt: merge.startedAt,
        finishedAt: merge.finishedAt,
        error: merge.error,
      }
    : null;
  const state: NightlyState = !merge
    ? 'missed'
    : merge.status === 'running'
      ? 'running'
      : merge.status === 'failed' || merge.status === 'interrupted'
        ? 'failed'
        : 'ok';
  return { state, expectedAt: expected.toISOString(), merge: summary };
}

export function diskSpace(dir: string): { freeBytes: number; totalBytes: number; low: boolean } | null {
  try {
    const s = statfsSync(dir);
    const freeBytes = Number(s.bavail) * Number(s.bsize);
    const totalBytes = Number(s.blocks) * Number(s.bsize);
    return { freeBytes, totalBytes, low: freeBytes < DISK_LOW_BYTES || freeBytes < totalBytes * DISK_LOW_RATIO };
  } catch {
    return null;
  }
}

const count = (store: Store, sql: string, ...args: unknown[]): number =>
  Number((store.db.prepare(sql).get(...args) as { n: number }).n);

export function healthReport(deps: HealthDeps) {
  const { store, config } = deps;
  const now = (deps.now ?? (() => new Date()))();
  const started = performance.now();
  const databaseOk = store.healthy();
  const latencyMs = Math.round((performance.now() - started) * 10) / 10;
  const disk = diskSpace(config.dataDir);
  const schedule = new Cron(config.mergeCron, { timezone: config.timezone, paused: true });
  const warnings: Warning[] = [];
  // Times in messages as people there read them: the service's time zone, each language's format.
  const when = (iso: string | null, lang: 'ro' | 'en'): string =>
    iso
      ? new Intl.DateTimeFormat(lang === 'ro' ? 'ro-RO' : 'en-GB', {
          timeZone: config.timezone,
          dateStyle: 'medium',
          timeStyle: 'short',
        }).format(new Date(iso))
      : '-';
  const plans = databaseOk
    ? store.listPlans().map((plan) => {
        const nightly = nightlyMerge(store, plan, schedule, now);
        const last = store.lastMerge(plan.id);
        if (nightly.state === 'failed') {
          warnings.push({
            code: 'nightly-merge-failed',
            plan: plan.id,
            ro: `Îmbinarea de noapte a planului „${plan.name}” (${when(nightly.expectedAt, 'ro')}) a eșuat: ${nightly.merge?.error ?? 'întreruptă'}.`,
            en: `The nightly merge of the plan "${plan.name}" (${when(nightly.expectedAt, 'en')}) failed: ${nightly.merge?.error ?? 'interrupted'}.`,
          });
        } else if (nightly.state === 'missed') {
          warnings.push({
            code: 'nightly-merge-missed',
            plan: plan.id,
            ro: `Îmbinarea de noapte a planului „${plan.name}” programată la ${when(nightly.expectedAt, 'ro')} nu a rulat (serviciul era oprit?).`,
            en: `The nightly merge of the plan "${plan.name}" due at ${when(nightly.expectedAt, 'en')} did not run (was the service down?).`,
          });
        }
        return {
          id: plan.id,
          name: plan.name,
          currentRevision: plan.currentRevision,
          submissionsWaiting: count(
            store,
            "SELECT COUNT(*) AS n FROM submissions WHERE plan_id = ? AND outcome = 'pending'",
            plan.id,
          ),
          conflictsOpen: count(
            store,
            "SELECT COUNT(*) AS n FROM conflicts WHERE plan_id = ? AND status = 'open'",
            plan.id,
          ),
          lastMerge: last
            ? {
                id: last.id,
                status: last.status,
                trigger: last.trigger,
                startedAt: last.startedAt,
                finishedAt: last.finishedAt,
                error: last.error,
              }
            : null,
          nightly,
        };
      })
    : [];
  if (disk?.low) {
    warnings.push({
      code: 'disk-low',
      ro: `Spațiu liber puțin pe discul datelor: ${(disk.freeBytes / (1 << 20)).toFixed(0)} MiB.`,
      en: `Little free space on the data disk: ${(disk.freeBytes / (1 << 20)).toFixed(0)} MiB.`,
    });
  }
  const ok = databaseOk;
  return {
    ok,
    status: !ok ? ('down' as const) : warnings.length > 0 ? ('warning' as const) : ('ok' as const),
    mergeRunning: deps.merges.running,
    version: APP_VERSION,
    schemaVersion: CODE_SCHEMA_VERSION,
    time: now.toISOString(),
    uptimeSeconds: Math.round(process.uptime()),
    database: { ok: databaseOk, latencyMs },
    disk,
    nextMerge: schedule.nextRun(now)?.toISOString() ?? null,
    mergeCron: config.mergeCron,
    timezone: config.timezone,
    plans,
    warnings,
  };
}
export type HealthReport = ReturnType<typeof healthReport>;

/** GET /api/health: the short answer for anyone, the report for a coordinator (by token or page session). */
export function healthHandler(deps: HealthDeps): RequestHandler {
  return (_req, res) => {
    const report = healthReport(deps);
    res.setHeader('Cache-Control', 'no-store');
    const role = (res.locals.principal as { role?: string } | undefined)?.role;
    res
      .status(report.ok ? 200 : 503)
      .json(
        role === 'coordinator' ? report : { ok: report.ok, status: report.status, mergeRunning: report.mergeRunning },
      );
  };
}
