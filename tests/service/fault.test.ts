// Crash safety: the service as a child process, killed with SIGKILL while taking submissions and again in the middle
// of a merge. After each restart every acknowledged submission is there, no half revision exists, and the merge a
// crash interrupted is redone with the same result as a merge nobody interrupted.
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../plan/model';
import { ownerCodes } from '../../plan/owners';
import type { MergeReport } from '../../plan/report';
import { repoRoot } from '../support/seed';
import { editCopy, startService, XLSX, sampleBytes } from './support';

interface Child {
  proc: ChildProcess;
  url: string;
  out: string;
  err: string;
  waitFor(re: RegExp, stream: 'out' | 'err', ms?: number): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'caf-fault-'));

async function start(env: Record<string, string> = {}): Promise<Child> {
  const proc = spawn(
    process.execPath,
    [path.join(repoRoot, 'bin/caf-plan.mjs'), 'serve', '--port', '0', '--data-dir', dataDir],
    {
      cwd: repoRoot,
      env: { ...process.env, CAF_LOG_LEVEL: 'warn', CAF_RATE_LIMIT: '100000', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(proc);
  const child = { proc, url: '', out: '', err: '' } as Child;
  const waiters: (() => void)[] = [];
  proc.stdout!.on('data', (d: Buffer) => ((child.out += d.toString()), waiters.forEach((w) => w())));
  proc.stderr!.on('data', (d: Buffer) => ((child.err += d.toString()), waiters.forEach((w) => w())));
  child.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
  child.waitFor = (re, stream, ms = 60_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timeout waiting for ${re} in\n${child.out}\n${child.err}`)), ms);
      const check = (): void => {
        const m = (stream === 'out' ? child.out : child.err).match(re);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        }
      };
      waiters.push(check);
      check();
    });
  child.url = (await child.waitFor(/listens at (http:\/\/127\.0\.0\.1:\d+)/, 'out'))[1]!;
  return child;
}

async function kill(child: Child): Promise<void> {
  child.proc.kill('SIGKILL');
  await child.exited;
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function api(url: string, token: string) {
  return async (method: string, at: string, body?: Uint8Array): Promise<Response> =>
    fetch(url + at, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': XLSX } : {}) },
      ...(body ? { body: body as BodyInit } : {}),
    });
}

const UNITS = ['DMRU', 'SIC', 'SMI', 'DGAPL', 'CMON', 'STLSA'];

describe('the service killed with SIGKILL', () => {
  it('loses no acknowledged submission and redoes an interrupted merge to the same result', async () => {
    // First start: the sample plan and a coordinator token, printed once.
    let child = await start();
    const token = (await child.waitFor(/^\s+(caf_[A-Za-z0-9_-]{43})$/m, 'out'))[1]!;
    let call = api(child.url, token);
    const [planInfo] = (await (await call('GET', '/api/plans')).json()) as { id: string }[];
    const planId = planInfo!.id;
    const plan = ((await (await call('GET', `/api/plans/${planId}/current.json`)).json()) as { plan: Plan }).plan;

    // Each unit marks its own rows in progress and writes a monitoring note; SIC also touches a DMRU row.
    const copies: Uint8Array[] = [];
    for (const unit of UNITS) {
      const copy = new Uint8Array(await (await call('GET', `/api/plans/${planId}/copies/${unit}.xlsx`)).arrayBuffer());
      const mine = plan.actions.filter((a) => ownerCodes(a.text.owners, plan.units).includes(unit)).slice(0, 3);
      const edits = mine.flatMap((a) => [
        { rowId: a.id, column: 'status' as const, value: 'În curs' },
        { rowId: a.id, column: 'monitoring' as const, value: `Raport ${unit} ${a.id}` },
      ]);
      if (unit === 'SIC') edits.push({ rowId: mine[0]!.id, column: 'status', value: 'Realizat' });
      copies.push(await editCopy(copy, edits));
    }

    // Kill while taking submissions: all six are sent at once; the process dies right after the first receipt.
    const acked: { submission: string; unit: string }[] = [];
    let killed = false;
    await Promise.allSettled(
      copies.map(async (bytes) => {
        const res = await call('POST', `/api/plans/${planId}/submissions`, bytes);
        if (res.status === 201) {
          acked.push((await res.json()) as { submission: string; unit: string });
          if (!killed) {
            killed = true;
            child.proc.kill('SIGKILL');
          }
        }
      }),
    );
    await child.exited;
    expect(acked.length).toBeGreaterThanOrEqual(1);
    expect(acked.length).toBeLessThan(UNITS.length);

    child = await start();
    call = api(child.url, token);
    const stored = (await (await call('GET', `/api/plans/${planId}/submissions`)).json()) as {
      id: string;
      unit: string;
      blob: string;
    }[];
    for (const a of acked) expect(stored).toContainEqual(expect.objectContaining({ id: a.submission, unit: a.unit }));
    for (const s of stored) expect(existsSync(path.join(dataDir, 'blobs', s.blob.slice(0, 2), s.blob))).toBe(true);
    expect(readdirSync(path.join(dataDir, 'blobs', 'tmp'))).toEqual([]);
    // Every unit sends again (a source retries): the acknowledged ones are recognised, the others taken now.
    for (const bytes of copies) {
      const res = await call('POST', `/api/plans/${planId}/submissions`, bytes);
      expect([200, 201]).toContain(res.status);
    }
    const all = (await (await call('GET', `/api/plans/${planId}/submissions`)).json()) as { id: string }[];
    expect(all).toHaveLength(UNITS.length);
    await kill(child);

    // Kill in the middle of a merge: its blobs are written, its final transaction is not.
    child = await start({ CAF_TEST_PAUSE_MERGE_MS: '60000' });
    call = api(child.url, token);
    const merging = call('POST', `/api/plans/${planId}/merges`).catch(() => undefined);
    await child.waitFor(/merge paused before commit/, 'err');
    await kill(child);
    await merging;
    const db = new Database(path.join(dataDir, 'caf-plan.sqlite'), { readonly: true });
    expect(db.prepare('SELECT status FROM merges').all()).toEqual([{ status: 'running' }]);
    expect(db.prepare('SELECT current_revision AS r FROM plans').get()).toEqual({ r: 1 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM revisions').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM conflicts').get()).toEqual({ n: 0 });
    expect(db.prepare("SELECT COUNT(*) AS n FROM submissions WHERE outcome = 'pending'").get()).toEqual({
      n: UNITS.length,
    });
    db.close();

    // Restart: the interrupted merge is redone from scratch.
    child = await start();
    call = api(child.url, token);
    await child.waitFor(/interrupted merge was redone/, 'out');
    const merges = (await (await call('GET', `/api/plans/${planId}/merges`)).json()) as {
      id: number;
      status: string;
      newRevision: number | null;
    }[];
    expect(merges.map((m) => m.status)).toEqual(['done', 'interrupted']);
    const report = (await (await call('GET', `/api/merges/${merges[0]!.id}/report.json`)).json()) as MergeReport;
    const after = (await (await call('GET', `/api/plans/${planId}/current.json`)).json()) as {
      revision: number;
      plan: Plan;
    };
    expect(after.revision).toBe(2);
    await kill(child);

    // The same submissions merged by a service nobody interrupted.
    const ref = await startService();
    try {
      const imported = await ref.call('POST', `/api/plans?id=${planId}`, { body: sampleBytes() });
      expect(imported.status).toBe(201);
      for (const bytes of copies)
        expect((await ref.call('POST', `/api/plans/${planId}/submissions`, { body: bytes })).status).toBe(201);
      const refMerge = (await (await ref.call('POST', `/api/plans/${planId}/merges`)).json()) as {
        report: MergeReport;
      };
      const shape = (r: MergeReport) => ({
        applied: r.applied.map(({ rowId, column, from, to, unit }) => ({ rowId, column, from, to, unit })),
        conflicts: r.conflicts.map(({ kind, rowId, column, values }) => ({
          kind,
          rowId,
          column,
          values: values.map((v) => [v.unit, v.value]),
        })),
        counts: r.counts,
      });
      expect(report.counts.applied).toBeGreaterThan(10);
      expect(report.counts.conflicts).toBeGreaterThan(0);
      expect(shape(report)).toEqual(shape(refMerge.report));
      const refPlan = ((await (await ref.call('GET', `/api/plans/${planId}/current.json`)).json()) as { plan: Plan })
        .plan;
      expect(after.plan.actions.map((a) => a.text)).toEqual(refPlan.actions.map((a) => a.text));
    } finally {
      await ref.close();
    }
  });
});
