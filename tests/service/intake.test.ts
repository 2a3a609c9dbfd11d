// The intake as issue 14 found it broken: acknowledged changes lost when a unit sent twice, a plan with duplicate ids
// imported, the team's plan id lower-cased (so copies the CLI made before the import were refused), and long lists
// answered whole. Through the real API on a real SQLite file.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Receipt } from '../../plan/api';
import type { Plan } from '../../plan/model';
import { MergeReport } from '../../plan/report';
import { repoRoot, sampleXlsxPath } from '../support/seed';
import { editCopy, importSample, planOf, startService, type Running } from './support';

let s: Running;
let planId: string;
let dmru: string;

beforeAll(async () => {
  s = await startService();
  planId = await importSample(s);
  dmru = s.unitToken('DMRU');
});
afterAll(async () => {
  await s?.close();
});

const rowsBody = (baseRevision: number, rows: { id: string; values: Record<string, string> }[]) => ({
  unit: 'DMRU',
  baseRevision,
  rows,
});

async function submit(body: unknown, token = dmru): Promise<Receipt> {
  const res = await s.call('POST', `/api/plans/${planId}/submissions`, { token, body });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Receipt;
}

async function mergeNow(): Promise<MergeReport> {
  const res = await s.call('POST', `/api/plans/${planId}/merges`);
  expect(res.status).toBe(201);
  return MergeReport.parse(((await res.json()) as { report: unknown }).report);
}

async function current(): Promise<Plan> {
  return ((await (await s.call('GET', `/api/plans/${planId}/current.json`)).json()) as { plan: Plan }).plan;
}

const cell = (plan: Plan, id: string, column: 'status' | 'monitoring'): string =>
  plan.actions.find((a) => a.id === id)!.text[column];

describe('several submissions of one unit between two merges', () => {
  it('two partial JSON submissions: the first one’s promised cell is applied too', async () => {
    const first = await submit(rowsBody(1, [{ id: '3.1.2', values: { monitoring: 'Instruire ținută' } }]));
    expect(first.willApply).toEqual([
      { rowId: '3.1.2', column: 'monitoring', from: expect.any(String), to: 'Instruire ținută' },
    ]);
    const second = await submit(rowsBody(1, [{ id: '3.2.1', values: { status: 'În curs' } }]));
    expect(second.message.en).toMatch(/all of them count/);
    expect(second.message.ro).toMatch(/toate contează/);
    const report = await mergeNow();
    expect(report.submissions.map((x) => x.outcome)).toEqual(['merged', 'merged']);
    const plan = await current();
    expect(cell(plan, '3.1.2', 'monitoring')).toBe('Instruire ținută');
    expect(cell(plan, '3.2.1', 'status')).toBe('În curs');
  });

  it('an older copy arriving after a newer submission: the receipt says which cells lose, the merge keeps the newer', async () => {
    const revision = (await current()).meta!.revision;
    const copy = new Uint8Array(await (await s.call('GET', `/api/plans/${planId}/copies/DMRU.xlsx`)).arrayBuffer());
    // Issued now (revision r); then the coordinator's merge of another unit's change makes r+1.
    const sic = s.unitToken('SIC');
    await submit(
      { unit: 'SIC', baseRevision: revision, rows: [{ id: '5.3.1', values: { monitoring: 'Raport SIC' } }] },
      sic,
    );
    await mergeNow();
    const newer = await submit(rowsBody(revision + 1, [{ id: '7.1.1', values: { status: 'Realizat' } }]));
    expect(newer.overridden).toEqual([]);
    const late = await editCopy(copy, [
      { rowId: '7.1.1', column: 'status', value: 'Amânat' },
      { rowId: '3.1.2', column: 'status', value: 'În curs' },
    ]);
    const res = await s.call('POST', `/api/plans/${planId}/submissions`, { token: dmru, body: late });
    expect(res.status).toBe(201);
    const receipt = (await res.json()) as Receipt;
    expect(receipt.overridden).toEqual([{ rowId: '7.1.1', column: 'status', value: 'Amânat', by: newer.submission }]);
    expect(receipt.willApply.map((w) => [w.rowId, w.column, w.to])).toEqual([['3.1.2', 'status', 'În curs']]);
    const report = await mergeNow();
    expect(report.overridden).toEqual([
      expect.objectContaining({
        rowId: '7.1.1',
        column: 'status',
        submission: receipt.submission,
        by: newer.submission,
      }),
    ]);
    const plan = await current();
    expect(cell(plan, '7.1.1', 'status')).toBe('Realizat');
    expect(cell(plan, '3.1.2', 'status')).toBe('În curs');
  });
});

describe('bounded intake', () => {
  it('JSON with 10,000 unknown ids is refused with 422, stores nothing but the audit line', async () => {
    const before = s.store.listSubmissions(planId).length;
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ id: `x-${i}`, values: { status: 'În curs' } }));
    const res = await s.call('POST', `/api/plans/${planId}/submissions`, { token: dmru, body: rowsBody(1, rows) });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { code: string; message_ro: string; message_en: string };
    expect(body.code).toBe('submission-too-many-rows');
    expect(body.message_en).toContain('10000 rows');
    expect(body.message_en).toContain('at most 72');
    expect(s.store.listSubmissions(planId)).toHaveLength(before);
    expect(s.store.listAudit(1)[0]).toMatchObject({ action: 'submission.refused', details: { extraRows: 10_000 } });
  });

  it('the bound is the plan’s action count, or the configured cap when smaller', async () => {
    const capped = await startService({ maxExtraRows: 3 });
    try {
      const id = await importSample(capped);
      const unit = capped.unitToken('DMRU');
      const send = (n: number) =>
        capped.call('POST', `/api/plans/${id}/submissions`, {
          token: unit,
          body: rowsBody(1, [
            { id: '3.1.2', values: { status: 'În curs' } },
            ...Array.from({ length: n }, (_, i) => ({ id: `9.9.${i + 1}`, values: { status: 'În curs' } })),
          ]),
        });
      expect((await send(3)).status).toBe(201);
      expect((await send(4)).status).toBe(422);
    } finally {
      await capped.close();
    }
  });

  it('conflict lists and receipts come in pages', async () => {
    // 60 added rows: under the bound (72), each a row-added conflict.
    const rows = Array.from({ length: 60 }, (_, i) => ({ id: `9.9.${i + 1}`, values: { action: `Nou ${i}` } }));
    const receipt = await submit(rowsBody((await current()).meta!.revision, rows));
    expect(receipt.counts.refused).toBe(60);
    const page = await s.call('GET', `/api/submissions/${receipt.submission}/receipt?offset=50&limit=20`);
    const paged = (await page.json()) as Receipt;
    expect(paged.refused.map((r) => r.rowId)).toEqual(receipt.refused.slice(50).map((r) => r.rowId));
    expect(paged.page).toEqual({ offset: 50, limit: 20 });
    await mergeNow();
    const res = await s.call('GET', `/api/plans/${planId}/conflicts?status=open&limit=25&offset=10`);
    expect(Number(res.headers.get('x-total-count'))).toBeGreaterThanOrEqual(60);
    expect((await res.json()) as unknown[]).toHaveLength(25);
  });
});

describe('import', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'caf-import-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const cli = (...args: string[]) =>
    execFileSync(process.execPath, [path.join(repoRoot, 'bin/caf-plan.mjs'), ...args], { cwd: repoRoot });

  it('keeps the team’s plan id as written, and takes the copies the CLI made before the import', async () => {
    const prepared = path.join(work, 'plan.xlsx');
    const copy = path.join(work, 'plan-DMRU.xlsx');
    cli('prepare', sampleXlsxPath, '--out', prepared, '--plan-id', 'PS1-CAF-2022');
    cli('copy', prepared, '--unit', 'DMRU', '--out', copy);
    const t = await startService();
    try {
      const res = await t.call('POST', '/api/plans', { body: new Uint8Array(readFileSync(prepared)) });
      expect(res.status).toBe(201);
      expect(((await res.json()) as { plan: { id: string } }).plan.id).toBe('PS1-CAF-2022');
      const filled = await editCopy(new Uint8Array(readFileSync(copy)), [
        { rowId: '3.1.2', column: 'status', value: 'În curs' },
      ]);
      const sub = await t.call('POST', '/api/plans/PS1-CAF-2022/submissions', {
        token: t.unitToken('DMRU'),
        body: filled,
      });
      expect(sub.status, await sub.clone().text()).toBe(201);
      expect(((await sub.json()) as Receipt).willApply).toHaveLength(1);
      // A second plan differing by case only is refused under that id.
      const again = await t.call('POST', '/api/plans?id=ps1-caf-2022', {
        body: new Uint8Array(readFileSync(prepared)),
      });
      expect(again.status).toBe(409);
    } finally {
      await t.close();
    }
  });

  it('refuses a plan whose ids are not unique, naming the rows, and stores nothing', async () => {
    const prepared = path.join(work, 'dup.xlsx');
    cli('prepare', sampleXlsxPath, '--out', prepared, '--plan-id', 'dup-ids');
    const plan = await planOf(new Uint8Array(readFileSync(prepared)));
    const first = plan.actions.find((a) => a.id === '3.1.2')!;
    const second = plan.actions.find((a) => a.id === '3.2.1')!;
    const bytes = await editCopy(new Uint8Array(readFileSync(prepared)), [
      { rowId: '3.2.1', column: 'id', value: '3.1.2' },
    ]);
    const t = await startService();
    try {
      const res = await t.call('POST', '/api/plans', { body: bytes });
      expect(res.status).toBe(422);
      const body = (await res.json()) as { code: string; message_en: string };
      expect(body.code).toBe('plan-duplicate-ids');
      expect(body.message_en).toContain(`row ${first.row + 1}`);
      expect(body.message_en).toContain(`row ${second.row + 1}`);
      expect(t.store.listPlans()).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
