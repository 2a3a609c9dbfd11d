// What an administrator watches (issue 19): /api/health short for anyone and whole for the coordinator (last night's
// merge failed or did not run, free disk, waiting submissions), /metrics in Prometheus' text format behind a token,
// and the scheduled backup keeping the last N files.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupPlugin, scheduledBackup } from '../../service/admin/scheduled-backup';
import { repoRoot } from '../support/seed';
import { importSample, startService, type Running } from './support';

const METRICS_TOKEN = 'metrics-token-for-the-test-0123456789';
const version = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text exposition format 0.0.4, read back line by line (HELP, TYPE, samples with labels). */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ')) continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    if (Number.isNaN(value) && m[3] !== 'NaN') throw new Error(`bad value: ${line}`);
    samples.push({ name: m[1]!, labels, value });
  }
  return { types, samples };
}

const find = (samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

let s: Running;
let planId: string;
beforeAll(async () => {
  s = await startService({ metricsToken: METRICS_TOKEN });
  planId = await importSample(s);
  for (const note of ['prima', 'a doua']) {
    const res = await s.call('POST', `/api/plans/${planId}/submissions`, {
      token: s.unitToken('DMRU'),
      body: { unit: 'DMRU', baseRevision: 1, rows: [{ id: '1.1.1', values: { monitoring: `Nota ${note}` } }] },
    });
    expect(res.status).toBe(201);
  }
});
afterAll(async () => {
  await s?.close();
});

/** The plan as if imported three days ago, so last night's merge was due. */
function ageThePlan(): void {
  s.store.db
    .prepare('UPDATE plans SET created_at = ? WHERE id = ?')
    .run(new Date(Date.now() - 3 * 86_400_000).toISOString(), planId);
}

describe('/api/health', () => {
  it('tells anyone only whether the service is up and needs attention', async () => {
    const res = await s.call('GET', '/api/health', { token: null });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['mergeRunning', 'ok', 'status']);
    expect(body).toEqual({ ok: true, status: 'ok', mergeRunning: false });
    const unit = (await (await s.call('GET', '/api/health', { token: s.unitToken('SIC') })).json()) as object;
    expect(Object.keys(unit).sort()).toEqual(['mergeRunning', 'ok', 'status']);
  });

  it('tells the coordinator the version, the database, free disk, the next merge and what waits', async () => {
    const body = (await (await s.call('GET', '/api/health')).json()) as {
      version: string;
      database: { ok: boolean };
      disk: { freeBytes: number; totalBytes: number; low: boolean };
      nextMerge: string;
      plans: { id: string; submissionsWaiting: number; conflictsOpen: number; nightly: { state: string } }[];
      warnings: unknown[];
    };
    expect(body.version).toBe(version);
    expect(body.database.ok).toBe(true);
    // Free space as df sees it (df -B1 rounds to blocks; other processes write meanwhile: within 2%).
    const df = spawnSync('df', ['-B1', '--output=avail,size', s.dataDir], { encoding: 'utf8' });
    const [avail, size] = df.stdout.trim().split('\n')[1]!.trim().split(/\s+/).map(Number) as [number, number];
    expect(Math.abs(body.disk.freeBytes - avail) / size).toBeLessThan(0.02);
    expect(body.disk.totalBytes).toBe(size);
    // 02:00 in Bucharest, within the next day.
    const next = new Date(body.nextMerge);
    const local = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Bucharest',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(next);
    expect(local).toBe('02:00');
    expect(next.getTime() - Date.now()).toBeGreaterThan(0);
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(86_400_000);
    expect(body.plans).toEqual([
      expect.objectContaining({ id: planId, submissionsWaiting: 2, conflictsOpen: 0, nightly: expect.anything() }),
    ]);
    // Imported just now: no nightly merge was due yet.
    expect(body.plans[0]!.nightly.state).toBe('not-due');
    expect(body.warnings).toEqual([]);
  });

  it('warns when last night’s merge did not run, then when it failed; anyone sees only "warning"', async () => {
    ageThePlan();
    let body = (await (await s.call('GET', '/api/health')).json()) as {
      status: string;
      warnings: { code: string; ro: string; en: string }[];
      plans: { nightly: { state: string; expectedAt: string } }[];
    };
    expect(body.status).toBe('warning');
    expect(body.warnings.map((w) => w.code)).toEqual(['nightly-merge-missed']);
    expect(body.warnings[0]!.ro).toMatch(/nu a rulat/);
    const expectedAt = body.plans[0]!.nightly.expectedAt;
    expect(
      new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Bucharest', hour: '2-digit', minute: '2-digit' }).format(
        new Date(expectedAt),
      ),
    ).toBe('02:00');

    s.store.db
      .prepare(
        `INSERT INTO merges (plan_id, status, trigger, started_by, started_at, finished_at, current_revision, up_to_submission, error)
         VALUES (?, 'failed', 'schedule', 'system:schedule', ?, ?, 1, 2, 'ENOSPC: no space left on device')`,
      )
      .run(
        planId,
        new Date(Date.parse(expectedAt) + 1000).toISOString(),
        new Date(Date.parse(expectedAt) + 4000).toISOString(),
      );
    body = (await (await s.call('GET', '/api/health')).json()) as typeof body;
    expect(body.warnings.map((w) => w.code)).toEqual(['nightly-merge-failed']);
    expect(body.warnings[0]!.en).toContain('ENOSPC');
    const anonymous = await (await s.call('GET', '/api/health', { token: null })).json();
    expect(anonymous).toEqual({ ok: true, status: 'warning', mergeRunning: false });
    expect(JSON.stringify(anonymous)).not.toContain('ENOSPC');
  });
});

describe('/metrics', () => {
  it('is closed without the token, and off entirely when no token is configured', async () => {
    expect((await fetch(`${s.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${s.coordinator}` } })).status).toBe(
      401,
    );
    const off = await startService();
    try {
      expect(
        (await fetch(`${off.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status,
      ).toBe(404);
    } finally {
      await off.close();
    }
  });

  it('answers Prometheus text: submissions, merges by status and duration, open conflicts, request durations', async () => {
    // A real merge, so there is a finished merge with a duration.
    expect((await s.call('POST', `/api/plans/${planId}/merges`)).status).toBe(201);
    const res = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const { types, samples } = parseExposition(await res.text());

    expect(types.get('caf_plan_submissions')).toBe('gauge');
    expect(types.get('caf_plan_merge_duration_seconds')).toBe('histogram');
    expect(types.get('caf_plan_http_request_duration_seconds')).toBe('histogram');
    expect(find(samples, 'caf_plan_info', { version })[0]?.value).toBe(1);
    expect(find(samples, 'caf_plan_database_up')[0]?.value).toBe(1);
    // Both DMRU submissions count in the merge (SPEC 5: several submissions of one unit are each merged).
    expect(find(samples, 'caf_plan_submissions', { plan: planId, outcome: 'merged' })[0]?.value).toBe(2);
    expect(find(samples, 'caf_plan_submissions', { plan: planId, outcome: 'superseded' })).toEqual([]);
    expect(find(samples, 'caf_plan_submissions', { plan: planId, outcome: 'pending' })).toEqual([]);
    expect(find(samples, 'caf_plan_merges', { plan: planId, status: 'done' })[0]?.value).toBe(1);
    expect(find(samples, 'caf_plan_merges', { plan: planId, status: 'failed' })[0]?.value).toBe(1);
    expect(find(samples, 'caf_plan_merge_duration_seconds_count', { status: 'done' })[0]?.value).toBe(1);
    expect(find(samples, 'caf_plan_merge_duration_seconds_sum', { status: 'failed' })[0]?.value).toBeCloseTo(3, 3);
    const open = (await (await s.call('GET', `/api/plans/${planId}/conflicts?status=open`)).json()) as unknown[];
    expect(find(samples, 'caf_plan_conflicts_open', { plan: planId })[0]?.value).toBe(open.length);
    // The failed nightly merge of the previous test.
    expect(find(samples, 'caf_plan_nightly_merge_ok', { plan: planId })[0]?.value).toBe(0);
    expect(find(samples, 'caf_plan_disk_free_bytes')[0]?.value).toBeGreaterThan(0);
    // Requests by route pattern, never by raw path.
    const posted = find(samples, 'caf_plan_http_request_duration_seconds_count', {
      method: 'POST',
      route: '/api/plans/:planId/submissions',
      status_code: '201',
    });
    expect(posted[0]?.value).toBe(2);
    expect(samples.some((x) => x.labels.route?.includes(planId))).toBe(false);
    expect(find(samples, 'caf_plan_process_resident_memory_bytes')[0]?.value).toBeGreaterThan(0);
  });
});

describe('the scheduled backup', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'caf-backups-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a backup per run and keeps the last N, never touching other files', async () => {
    writeFileSync(path.join(dir, 'pre-upgrade-schema1-to2-2026-01-01T00-00-00-000Z.tar'), 'kept');
    writeFileSync(path.join(dir, 'notes.txt'), 'kept');
    const days = ['2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02'];
    for (const day of days) {
      await scheduledBackup(s.store, { dir, keep: 2, now: new Date(`${day}T01:00:00.000Z`) });
    }
    expect(readdirSync(dir).sort()).toEqual([
      'caf-plan-backup-2026-12-01T01-00-00-000Z.tar',
      'caf-plan-backup-2026-12-02T01-00-00-000Z.tar',
      'notes.txt',
      'pre-upgrade-schema1-to2-2026-01-01T00-00-00-000Z.tar',
    ]);
    const listed = spawnSync('tar', ['-tf', path.join(dir, 'caf-plan-backup-2026-12-02T01-00-00-000Z.tar')], {
      encoding: 'utf8',
    });
    expect(listed.stdout.split('\n').slice(0, 2)).toEqual(['manifest.json', 'caf-plan.sqlite']);
  });

  it('refuses a wrong BACKUP_CRON at start with the setting named', async () => {
    const ctx = { store: s.store, config: s.config, env: { BACKUP_CRON: 'every night' } } as unknown as Parameters<
      NonNullable<typeof backupPlugin.start>
    >[0];
    await expect(backupPlugin.start!(ctx)).rejects.toMatchObject({ code: 'config-invalid' });
    await expect(backupPlugin.start!(ctx)).rejects.toThrow(/BACKUP_CRON/);
  });
});
