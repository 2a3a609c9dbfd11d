// The service's API as a coordinator and department heads use it: import the plan, issue copies, submit edited
// copies and JSON rows, merge, read the report, resolve a conflict, publish progress; with the access rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../plan/model';
import { ownerCodes } from '../../plan/owners';
import { MergeReport } from '../../plan/report';
import type { Receipt } from '../../plan/api';
import { bytesOf, editCopy, importSample, planOf, startService, type Running } from './support';

let s: Running;
let planId: string;
let plan: Plan;

const owned = (p: Plan, unit: string, only = true): string[] =>
  p.actions
    .filter((a) => {
      const codes = ownerCodes(a.text.owners, p.units);
      return codes.includes(unit) && (!only || codes.length === 1);
    })
    .map((a) => a.id);

beforeAll(async () => {
  s = await startService();
  planId = await importSample(s);
  plan = ((await (await s.call('GET', `/api/plans/${planId}/current.json`)).json()) as { plan: Plan }).plan;
});
afterAll(async () => {
  await s?.close();
});

describe('health and import', () => {
  it('answers health without a token', async () => {
    const res = await s.call('GET', '/api/health', { token: null });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
    expect(res.headers.get('x-request-id')).toMatch(/.+/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('imports the Sector 1 plan as revision 1 with ids, statuses and the legend', async () => {
    expect(plan.actions).toHaveLength(72);
    expect(plan.columns.id).toBeDefined();
    expect(plan.columns.status).toBeDefined();
    expect(plan.units.map((u) => u.code)).toContain('DMRU');
    expect(plan.meta).toMatchObject({ planId, revision: 1 });
    const xlsx = await s.call('GET', `/api/plans/${planId}/current.xlsx`);
    expect(xlsx.status).toBe(200);
    expect((await planOf(await bytesOf(xlsx))).actions).toHaveLength(72);
  });
});

describe('copies, submissions, merge, conflicts', () => {
  let dmruReceipt: Receipt;

  it('gives a unit its own copy, stamped with the unit and revision, and nobody else’s', async () => {
    const dmru = s.unitToken('DMRU');
    const res = await s.call('GET', `/api/plans/${planId}/copies/DMRU.xlsx`, { token: dmru });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('.xlsx');
    const copy = await planOf(await bytesOf(res));
    expect(copy.meta).toMatchObject({ planId, revision: 1, unit: 'DMRU' });
    const other = await s.call('GET', `/api/plans/${planId}/copies/SIC.xlsx`, { token: dmru });
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({
      code: 'forbidden',
      message_ro: expect.any(String),
      message_en: expect.any(String),
    });
  });

  it('takes an edited copy and says what will be applied and what is refused', async () => {
    const dmru = s.unitToken('DMRU');
    const copy = await bytesOf(await s.call('GET', `/api/plans/${planId}/copies/DMRU.xlsx`, { token: dmru }));
    const [mine1, mine2] = owned(plan, 'DMRU');
    const [sics] = owned(plan, 'SIC');
    const edited = await editCopy(copy, [
      { rowId: mine1!, column: 'status', value: 'în curs' },
      { rowId: mine2!, column: 'monitoring', value: 'Raport trimis pe 3 martie' },
      { rowId: sics!, column: 'status', value: 'Realizat' },
      { rowId: mine1!, column: 'action', value: 'Altă acțiune' },
    ]);
    const res = await s.call('POST', `/api/plans/${planId}/submissions`, {
      token: dmru,
      body: edited,
      headers: { 'x-file-name': 'copie DMRU.xlsx' },
    });
    expect(res.status).toBe(201);
    dmruReceipt = (await res.json()) as Receipt;
    expect(dmruReceipt).toMatchObject({ planId, unit: 'DMRU', baseRevision: 1, duplicate: false, kind: 'xlsx' });
    expect(dmruReceipt.willApply.map((c) => [c.rowId, c.column, c.to]).sort()).toEqual(
      [
        [mine1, 'status', 'În curs'],
        [mine2, 'monitoring', 'Raport trimis pe 3 martie'],
      ].sort(),
    );
    expect(dmruReceipt.refused.map((c) => [c.kind, c.rowId]).sort()).toEqual(
      [
        ['locked-column', mine1],
        ['not-owner', sics],
      ].sort(),
    );
    for (const r of dmruReceipt.refused) expect(r.message.ro.length).toBeGreaterThan(10);

    // The same bytes again: the same receipt, nothing new stored.
    const again = await s.call('POST', `/api/plans/${planId}/submissions`, { token: dmru, body: edited });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ ...dmruReceipt, duplicate: true });
    expect(s.store.listSubmissions(planId)).toHaveLength(1);
  });

  it('takes JSON rows from the add-in, for the token’s unit only', async () => {
    const sic = s.unitToken('SIC');
    const [row] = owned(plan, 'SIC');
    const body = { unit: 'SIC', baseRevision: 1, rows: [{ id: row!, values: { status: 'Realizat' } }] };
    const res = await s.call('POST', `/api/plans/${planId}/submissions`, { token: sic, body });
    expect(res.status).toBe(201);
    const receipt = (await res.json()) as Receipt;
    expect(receipt.willApply).toEqual([{ rowId: row, column: 'status', from: expect.any(String), to: 'Realizat' }]);
    const wrong = await s.call('POST', `/api/plans/${planId}/submissions`, {
      token: sic,
      body: { ...body, unit: 'DMRU' },
    });
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ code: 'submission-wrong-unit' });
  });

  it('merges: applies what the receipts promised, reports the refusals, makes revision 2', async () => {
    const unit = await s.call('POST', `/api/plans/${planId}/merges`, { token: s.unitToken('DMRU') });
    expect(unit.status).toBe(403);
    const res = await s.call('POST', `/api/plans/${planId}/merges`);
    expect(res.status).toBe(201);
    const merge = (await res.json()) as { id: number; status: string; newRevision: number; report: MergeReport };
    expect(merge.status).toBe('done');
    expect(merge.newRevision).toBe(2);
    const report = MergeReport.parse(merge.report);
    expect(report.counts.applied).toBe(3);
    expect(report.conflicts.map((c) => c.kind).sort()).toEqual(['locked-column', 'not-owner']);
    expect(report.submissions.map((x) => x.outcome)).toEqual(['merged', 'merged']);

    const stored = await (await s.call('GET', `/api/merges/${merge.id}/report.json`)).json();
    expect(stored).toEqual(merge.report);
    const merged = await planOf(await bytesOf(await s.call('GET', `/api/merges/${merge.id}/merged.xlsx`)));
    const [mine1] = owned(plan, 'DMRU');
    expect(merged.actions.find((a) => a.id === mine1)!.text.status).toBe('În curs');
    expect(merged.meta?.revision).toBe(2);

    const diff = (await (await s.call('GET', `/api/plans/${planId}/diff?from=1&to=2`)).json()) as {
      changes: unknown[];
    };
    expect(diff.changes).toHaveLength(3);
    const subs = (await (await s.call('GET', `/api/plans/${planId}/submissions`)).json()) as { outcome: string }[];
    expect(subs.map((x) => x.outcome)).toEqual(['merged', 'merged']);
    const open = (await (await s.call('GET', `/api/plans/${planId}/conflicts?status=open`)).json()) as unknown[];
    expect(open).toHaveLength(2);
  });

  it('flags two units setting one cell differently, and the coordinator’s choice makes a new revision', async () => {
    const shared = plan.actions.find((a) => {
      const codes = ownerCodes(a.text.owners, plan.units);
      return codes.includes('DMRU') && codes.includes('SIC');
    })!;
    expect(shared).toBeDefined();
    for (const [unit, value] of [
      ['DMRU', 'Amânat'],
      ['SIC', 'Realizat'],
    ] as const) {
      const res = await s.call('POST', `/api/plans/${planId}/submissions`, {
        token: s.unitToken(unit),
        body: { unit, baseRevision: 2, rows: [{ id: shared.id, values: { status: value } }] },
      });
      expect(res.status).toBe(201);
    }
    const merge = (await (await s.call('POST', `/api/plans/${planId}/merges`)).json()) as {
      newRevision: number;
      report: MergeReport;
    };
    expect(merge.newRevision).toBe(3);
    expect(merge.report.conflicts).toEqual([
      expect.objectContaining({ kind: 'concurrent-edit', rowId: shared.id, column: 'status' }),
    ]);
    const conflict = (
      (await (await s.call('GET', `/api/plans/${planId}/conflicts?status=open`)).json()) as {
        id: number;
        kind: string;
      }[]
    ).find((c) => c.kind === 'concurrent-edit')!;

    const bad = await s.call('POST', `/api/conflicts/${conflict.id}/resolve`, { body: { value: 'Poate' } });
    expect(bad.status).toBe(422);
    const res = await s.call('POST', `/api/conflicts/${conflict.id}/resolve`, { body: { value: 'realizat' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'resolved', resolvedValue: 'Realizat', resolvedRevision: 4 });
    const current = (await (await s.call('GET', `/api/plans/${planId}/current.json`)).json()) as {
      revision: number;
      plan: Plan;
    };
    expect(current.revision).toBe(4);
    expect(current.plan.actions.find((a) => a.id === shared.id)!.text.status).toBe('Realizat');
    const twice = await s.call('POST', `/api/conflicts/${conflict.id}/resolve`, { body: { keep: true } });
    expect(twice.status).toBe(409);
  });

  it('publishes progress as open data, JSON and CSV', async () => {
    const json = await s.call('GET', `/api/plans/${planId}/progress.json?today=2023-01-15`, { token: null });
    expect(json.status).toBe(200);
    const progress = (await json.json()) as {
      rows: { id: string; state: string; status: string; dueDate: string }[];
      revision: number;
    };
    expect(progress.rows).toHaveLength(72);
    expect(progress.revision).toBe(4);
    const first = progress.rows.find((r) => r.id === '1.1.1')!;
    expect(first).toMatchObject({ dueDate: '2022-12-31', state: 'overdue' });
    const csv = await s.call('GET', `/api/plans/${planId}/progress.csv?today=2023-01-15`, { token: null });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      'ID;Criteriu;Subcriteriu;Acțiuni necesare;Responsabil;Termen de realizare;Data scadentă;Stare;Starea termenului;Zile de întârziere;Monitorizare și evaluare',
    );
    expect(lines).toHaveLength(73);
  });
});

describe('a conflict a later revision made moot', () => {
  it('is closed by the merge that applied that cell, so its old choices can no longer be written', async () => {
    const shared = plan.actions.find((a) => {
      const codes = ownerCodes(a.text.owners, plan.units);
      return codes.includes('DMRU') && codes.includes('SIC');
    })!;
    const submit = async (unit: string, base: number, monitoring: string): Promise<void> => {
      const res = await s.call('POST', `/api/plans/${planId}/submissions`, {
        token: s.unitToken(unit),
        body: { unit, baseRevision: base, rows: [{ id: shared.id, values: { monitoring } }] },
      });
      expect(res.status).toBe(201);
    };
    const merge = async (): Promise<{ newRevision: number; report: MergeReport }> =>
      (await (await s.call('POST', `/api/plans/${planId}/merges`)).json()) as {
        newRevision: number;
        report: MergeReport;
      };
    const base = ((await (await s.call('GET', `/api/plans/${planId}`)).json()) as { currentRevision: number })
      .currentRevision;
    await submit('DMRU', base, 'Raport trimis în martie');
    await submit('SIC', base, 'Raport trimis în aprilie');
    const first = await merge();
    expect(first.report.conflicts.map((c) => [c.kind, c.rowId, c.column])).toEqual([
      ['concurrent-edit', shared.id, 'monitoring'],
    ]);
    const open = (await (await s.call('GET', `/api/plans/${planId}/conflicts?status=open`)).json()) as {
      id: number;
      column: string;
    }[];
    const stale = open.find((c) => c.column === 'monitoring')!;

    // The units agree afterwards: DMRU sends the final text from the new revision, and the next merge applies it.
    await submit('DMRU', first.newRevision, 'Raport trimis în aprilie, aprobat');
    const second = await merge();
    expect(second.report.applied.map((c) => [c.rowId, c.column])).toEqual([[shared.id, 'monitoring']]);

    const after = (await (await s.call('GET', `/api/plans/${planId}/conflicts`)).json()) as {
      id: number;
      status: string;
      supersededBy: number | null;
    }[];
    expect(after.find((c) => c.id === stale.id)).toMatchObject({
      status: 'resolved',
      supersededBy: second.newRevision,
    });
    const late = await s.call('POST', `/api/conflicts/${stale.id}/resolve`, {
      body: { value: 'Raport trimis în martie' },
    });
    expect(late.status).toBe(409);
    const current = (await (await s.call('GET', `/api/plans/${planId}/current.json`)).json()) as { plan: Plan };
    expect(current.plan.actions.find((a) => a.id === shared.id)!.text.monitoring).toBe(
      'Raport trimis în aprilie, aprobat',
    );
  });
});

describe('access', () => {
  it('refuses callers without a valid token and limits unit tokens', async () => {
    expect((await s.call('GET', '/api/plans', { token: null })).status).toBe(401);
    expect((await s.call('GET', '/api/plans', { token: 'caf_' + 'A'.repeat(43) })).status).toBe(401);
    const dmru = s.unitToken('DMRU');
    expect((await s.call('GET', `/api/plans/${planId}/current.json`, { token: dmru })).status).toBe(200);
    expect((await s.call('GET', `/api/plans/${planId}/conflicts`, { token: dmru })).status).toBe(403);
    expect((await s.call('GET', `/api/tokens`, { token: dmru })).status).toBe(403);
    const subs = (await (await s.call('GET', `/api/plans/${planId}/submissions`, { token: dmru })).json()) as {
      unit: string;
    }[];
    expect(subs.length).toBeGreaterThan(0);
    expect(subs.every((x) => x.unit === 'DMRU')).toBe(true);
  });

  it('gives the page an httpOnly SameSite=Strict session and refuses cross-site writes', async () => {
    const login = await s.call('POST', '/api/session', { token: null, body: { token: s.coordinator } });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/caf_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const jar = cookie.split(';')[0]!;
    const who = await s.call('GET', '/api/session', { token: null, headers: { cookie: jar } });
    expect(await who.json()).toMatchObject({ role: 'coordinator', via: 'cookie' });
    const noHeader = await s.call('POST', `/api/plans/${planId}/merges`, { token: null, headers: { cookie: jar } });
    expect(noHeader.status).toBe(403);
    expect(await noHeader.json()).toMatchObject({ code: 'csrf' });
    const foreign = await s.call('POST', `/api/plans/${planId}/merges`, {
      token: null,
      headers: { cookie: jar, 'x-caf-csrf': '1', origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    const ok = await s.call('POST', `/api/plans/${planId}/merges`, {
      token: null,
      headers: { cookie: jar, 'x-caf-csrf': '1', origin: s.url },
    });
    expect(ok.status).toBe(201);
  });

  it('lets only the add-in’s origin call across origins', async () => {
    const t = await startService({ addinOrigin: 'https://localhost:3001' });
    try {
      const pre = await t.call('OPTIONS', '/api/plans', {
        token: null,
        headers: { origin: 'https://localhost:3001', 'access-control-request-method': 'POST' },
      });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe('https://localhost:3001');
      const other = await t.call('GET', '/api/health', { token: null, headers: { origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await t.close();
    }
  });
});
