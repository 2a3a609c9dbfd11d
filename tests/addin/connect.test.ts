// The add-in talking to the real service (createApp on 127.0.0.1, SQLite in a temp dir, the sample plan imported),
// with the add-in's own code (addin/service, addin/excel) running against the fake Excel: a department submits
// from its copy, the merge runs, the coordinator syncs the master workbook, sees the conflict marked and resolves it.
// Then the service is killed in the middle of syncs and submits: the workbook is never half written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellAddress } from '../../plan/address';
import { readPlan } from '../../plan/grid';
import type { Field, Plan, WorkbookGrid } from '../../plan/model';
import { ownerCodes } from '../../plan/owners';
import { MergeReport } from '../../plan/report';
import { CONFLICT_MARK_FILL, CONFLICT_MARK_FORMULA } from '../../addin/excel/sync';
import { ConnectController, type ConnectPort } from '../../addin/service/connect';
import { createConnectPort } from '../../addin/taskpane/connect-port';
import { PaneController } from '../../addin/taskpane/controller';
import { createOfficePort } from '../../addin/taskpane/office-port';
import { FakeWorkbook, installFakeOffice } from './fake-excel';
import { importSamplePlan, startKillableService, type Cut, type KillableService } from './connect-support';

const TODAY = '2023-06-01';

let s: KillableService;
let planId: string;
let masterGrid: WorkbookGrid;
let master: Plan;

class MapStore {
  private readonly map = new Map<string, string>();
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value);
  }
}

interface Pane {
  ctl: ConnectController;
  fake: FakeWorkbook;
  /** The pane's main controller on the same workbook (filters, validation), as taskpane.ts wires them. */
  main: PaneController;
  /** context.sync() calls of each applySyncPatch (the one workbook write of a sync). */
  applySyncs: number[];
  close(): void;
}

/** The pane of one user on one workbook: the fake Excel installed, the real addin/excel port, a controller. */
function openPane(grid: WorkbookGrid, token: string): Pane {
  const fake = FakeWorkbook.fromGrid(grid);
  const office = installFakeOffice(globalThis, fake);
  const real = createConnectPort();
  const applySyncs: number[] = [];
  const port: ConnectPort = {
    ...real,
    applySyncPatch: async (patch) => {
      fake.resetStats();
      const outcome = await real.applySyncPatch(patch);
      applySyncs.push(fake.stats.syncs);
      return outcome;
    },
  };
  const ctl = new ConnectController({
    port,
    store: new MapStore(),
    onChange: () => undefined,
    today: TODAY,
    client: { retries: 1, backoffMs: 5, timeoutMs: 10_000 },
    autoRetries: 0,
  });
  ctl.setConnection({ serviceUrl: s.url, token });
  const main = new PaneController(createOfficePort(), new MapStore(), () => undefined, TODAY, 10);
  return {
    ctl,
    fake,
    main,
    applySyncs,
    close: () => {
      void main.dispose(); // its refresh timer must not outlive the fake Excel
      ctl.dispose();
      office.uninstall();
    },
  };
}

/** Everything a user could see change in the workbook: values, conditional formats, comments. */
function snapshot(fake: FakeWorkbook): string {
  return JSON.stringify({
    grid: fake.toGrid(),
    formats: fake.sheets.map((sh) => sh.conditionalFormats.map((cf) => [cf.rect, cf.formula, cf.fill])),
    comments: fake.comments.map((c) => [c.sheet.name, c.row, c.col, c.content]),
    notes: fake.notes.map((c) => [c.sheet.name, c.row, c.col, c.content]),
    fills: fake.sheets.map((sh) => [...sh.cells].filter(([, c]) => c.fill).map(([k, c]) => [k, c.fill])),
  });
}

function cellOf(plan: Plan, rowId: string, column: Field): { row: number; col: number; address: string } {
  const action = plan.actions.find((a) => a.id === rowId)!;
  const col = plan.columns[column]!;
  return { row: action.row, col, address: cellAddress(action.row, col) };
}

function valueAt(fake: FakeWorkbook, sheet: string, row: number, col: number): unknown {
  return fake.sheet(sheet)!.value(row, col);
}

const owners = (p: Plan, id: string): string[] => ownerCodes(p.actions.find((a) => a.id === id)!.text.owners, p.units);

beforeAll(async () => {
  s = await startKillableService();
  planId = await importSamplePlan(s);
  masterGrid = await s.gridOf(`/api/plans/${planId}/current.xlsx`);
  master = readPlan(masterGrid);
});

afterAll(async () => {
  await s?.close();
});

describe('department submits, the merge runs, the coordinator syncs and resolves', () => {
  // Two actions only DMRU owns, and one DMRU shares with another unit (the conflict).
  let onlyDmru: string[];
  let shared: string;
  let other: string;
  let conflictId: number;

  it('the department copy opens in department mode, filtered to its rows, and submits its edits as JSON', async () => {
    onlyDmru = master.actions.filter((a) => owners(master, a.id).join() === 'DMRU').map((a) => a.id);
    const sharedAction = master.actions.find(
      (a) => owners(master, a.id).includes('DMRU') && owners(master, a.id).length > 1,
    )!;
    shared = sharedAction.id;
    other = owners(master, shared).find((u) => u !== 'DMRU')!;
    expect(onlyDmru.length).toBeGreaterThanOrEqual(2);

    const copy = await s.gridOf(`/api/plans/${planId}/copies/DMRU.xlsx`, s.unitToken('DMRU'));
    const pane = openPane(copy, s.unitToken('DMRU'));
    try {
      const plan = readPlan(copy);
      await Promise.all([pane.main.start(), pane.ctl.start()]); // as the pane opens
      expect(pane.main.state.settings.filter).toMatchObject({ units: ['DMRU'], applied: true });
      expect(pane.ctl.state.mode).toMatchObject({ kind: 'department', unit: 'DMRU', planId, revision: 1 });
      const dmruRows = plan.actions.filter((a) => owners(plan, a.id).includes('DMRU'));
      expect(pane.ctl.state.mode).toMatchObject({ rows: dmruRows.length });
      // Every row left visible by the AutoFilter is a DMRU row.
      const sheet = pane.fake.sheet(plan.sheet)!;
      const visible = plan.actions.filter((a) => !sheet.filteredRows.has(a.row));
      expect(visible.map((a) => a.id)).toEqual(dmruRows.map((a) => a.id));
      expect(
        pane.ctl.state.findings!.every((f) => f.rowId === undefined || dmruRows.some((a) => a.id === f.rowId)),
      ).toBe(true);

      const edit = (rowId: string, column: Field, value: string): void => {
        const at = cellOf(plan, rowId, column);
        pane.fake.userEdit(plan.sheet, at.address, [[value]]);
      };
      edit(onlyDmru[0]!, 'status', 'Realizat');
      edit(onlyDmru[1]!, 'monitoring', 'Raport aprobat prin dispoziția nr. 12/2023');
      edit(shared, 'status', 'În curs');
      const before = snapshot(pane.fake);

      await pane.ctl.submit();
      expect(pane.ctl.state.notice?.kind).toBe('success');
      const receipt = pane.ctl.state.receipt!;
      expect(receipt.counts).toEqual({ willApply: 3, refused: 0, overridden: 0, overrides: 0 });
      expect(receipt.willApply.map((c) => `${c.rowId}/${c.column}=${c.to}`).sort()).toEqual(
        [
          `${onlyDmru[0]}/status=Realizat`,
          `${onlyDmru[1]}/monitoring=Raport aprobat prin dispoziția nr. 12/2023`,
          `${shared}/status=În curs`,
        ].sort(),
      );
      // Submitting does not touch the workbook.
      expect(snapshot(pane.fake)).toBe(before);
    } finally {
      pane.close();
    }
  });

  it('another unit submits a different status for the shared row; the merge applies two and flags one', async () => {
    const copy = await s.gridOf(`/api/plans/${planId}/copies/${other}.xlsx`, s.unitToken(other));
    const pane = openPane(copy, s.unitToken(other));
    try {
      const plan = readPlan(copy);
      await pane.ctl.start();
      pane.fake.userEdit(plan.sheet, cellOf(plan, shared, 'status').address, [['Amânat']]);
      await pane.ctl.submit();
      expect(pane.ctl.state.receipt!.counts.willApply).toBe(1);
    } finally {
      pane.close();
    }
    const res = await s.api('POST', `/api/plans/${planId}/merges`);
    expect(res.status).toBe(201);
    const report = MergeReport.parse(((await res.json()) as { report: unknown }).report);
    expect(report.counts.applied).toBe(2);
    expect(report.conflicts.map((c) => [c.kind, c.rowId, c.column])).toEqual([['concurrent-edit', shared, 'status']]);
  });

  it('the coordinator syncs: only the applied cells change, in at most 3 syncs; the conflict is listed and marked', async () => {
    const pane = openPane(masterGrid, s.coordinator);
    try {
      const before = pane.fake.toGrid();
      await pane.ctl.sync();
      expect(pane.ctl.state.notice).toMatchObject({ kind: 'success' });
      expect(pane.ctl.state.mode).toMatchObject({ kind: 'coordinator', revision: 2 });
      expect(pane.applySyncs).toHaveLength(1);
      expect(pane.applySyncs[0]).toBeLessThanOrEqual(3);

      const after = pane.fake.toGrid();
      const changed: string[] = [];
      // The Conflicte sheet is new (the list of conflicts, as in the service's merged workbook): checked below.
      after.sheets
        .filter((sh) => sh.name !== 'Conflicte')
        .forEach((sheet, i) => {
          const rows = Math.max(sheet.rows.length, before.sheets[i]!.rows.length);
          for (let r = 0; r < rows; r++) {
            const width = Math.max(sheet.rows[r]?.length ?? 0, before.sheets[i]!.rows[r]?.length ?? 0);
            for (let c = 0; c < width; c++) {
              const a = before.sheets[i]!.rows[r]?.[c] ?? null;
              const b = sheet.rows[r]?.[c] ?? null;
              if (a !== b) changed.push(`${sheet.name}!${cellAddress(r, c)}=${String(b)}`);
            }
          }
        });
      const status = cellOf(master, onlyDmru[0]!, 'status');
      const monitoring = cellOf(master, onlyDmru[1]!, 'monitoring');
      expect(changed.sort()).toEqual(
        [
          `${master.sheet}!${status.address}=Realizat`,
          `${master.sheet}!${monitoring.address}=Raport aprobat prin dispoziția nr. 12/2023`,
          expect.stringMatching(/^_caf_plan!B\d+=2$/),
        ].sort(),
      );
      expect(pane.ctl.state.lastSync).toMatchObject({ revision: 2, written: 2, kept: [] });

      // The conflict: listed with each side's value and unit, its cell filled and commented.
      const conflicts = pane.ctl.state.conflicts!;
      expect(conflicts).toHaveLength(1);
      conflictId = conflicts[0]!.id;
      expect(conflicts[0]!.values.map((v) => [v.unit, v.value]).sort()).toEqual(
        [
          ['DMRU', 'În curs'],
          [other, 'Amânat'],
        ].sort(),
      );
      const cell = cellOf(master, shared, 'status');
      const sheet = pane.fake.sheet(master.sheet)!;
      // One mark, as the service's merged workbook has it: the conflict fill, a note (ExcelApi 1.18 here), a row of
      // the Conflicte sheet; no threaded comment and no rule.
      expect(sheet.cell(cell.row, cell.col)?.fill).toBe(CONFLICT_MARK_FILL);
      expect(sheet.conditionalFormats.filter((cf) => cf.formula === CONFLICT_MARK_FORMULA)).toHaveLength(0);
      expect(pane.fake.comments).toHaveLength(0);
      expect(pane.fake.notes).toHaveLength(1);
      const comment = pane.fake.notes[0]!;
      expect([comment.row, comment.col]).toEqual([cell.row, cell.col]);
      expect(comment.content).toContain('DMRU: „În curs”');
      expect(comment.content).toContain(`${other}: „Amânat”`);
      const list = pane.fake.sheet('Conflicte')!;
      expect(list.values({ top: 0, left: 0, bottom: 1, right: 1 })).toEqual([
        ['ID', 'Coloana'],
        [shared, 'Stare'],
      ]);
      // The conflicted cell keeps the master's value.
      expect(valueAt(pane.fake, master.sheet, cell.row, cell.col)).toBe(
        before.sheets.find((x) => x.name === master.sheet)!.rows[cell.row]![cell.col],
      );

      // Choosing a value resolves it on the service and in the workbook; the mark goes, the team's formatting stays.
      const rulesBefore = sheet.conditionalFormats.filter((cf) => cf.formula !== CONFLICT_MARK_FORMULA).length;
      await pane.ctl.resolve(conflictId, { value: 'Amânat' });
      expect(pane.ctl.state.notice).toMatchObject({ kind: 'success' });
      expect(pane.ctl.state.mode).toMatchObject({ revision: 3 });
      expect(valueAt(pane.fake, master.sheet, cell.row, cell.col)).toBe('Amânat');
      expect(sheet.conditionalFormats).toHaveLength(rulesBefore);
      expect(sheet.cell(cell.row, cell.col)?.fill).toBeUndefined();
      expect(pane.fake.notes).toHaveLength(0);
      expect(pane.fake.sheet('Conflicte')!.usedRect(true)).toEqual({ top: 0, left: 0, bottom: 0, right: 5 });
      expect(pane.ctl.state.conflicts).toEqual([]);
      const open = (await (await s.api('GET', `/api/plans/${planId}/conflicts?status=open`)).json()) as unknown[];
      expect(open).toEqual([]);
      const current = (await (await s.api('GET', `/api/plans/${planId}/current.json`)).json()) as {
        revision: number;
        plan: Plan;
      };
      expect(current.revision).toBe(3);
      expect(current.plan.actions.find((a) => a.id === shared)!.text.status).toBe('Amânat');

      // A second sync has nothing to write.
      await pane.ctl.sync();
      expect(pane.ctl.state.lastSync).toMatchObject({ revision: 3, written: 0 });
      expect(pane.applySyncs.at(-1)).toBeLessThanOrEqual(3);
    } finally {
      pane.close();
    }
  });

  it('a coordinator edit made in the workbook meanwhile is kept, and reported', async () => {
    // The master workbook at revision 1, where the coordinator typed into a cell the merge also changed.
    const pane = openPane(masterGrid, s.coordinator);
    try {
      const status = cellOf(master, onlyDmru[0]!, 'status');
      pane.fake.userEdit(master.sheet, status.address, [['Parțial realizat']]);
      await pane.ctl.sync();
      expect(valueAt(pane.fake, master.sheet, status.row, status.col)).toBe('Parțial realizat');
      expect(pane.ctl.state.lastSync!.kept).toEqual([
        { rowId: onlyDmru[0], column: 'status', local: 'Parțial realizat', incoming: 'Realizat' },
      ]);
      expect(pane.ctl.state.notice!.details!.map((d) => d.en).join()).toContain(
        '1 cell also changed in the workbook kept',
      );
      const monitoring = cellOf(master, onlyDmru[1]!, 'monitoring');
      expect(valueAt(pane.fake, master.sheet, monitoring.row, monitoring.col)).toBe(
        'Raport aprobat prin dispoziția nr. 12/2023',
      );
    } finally {
      pane.close();
    }
  });

  it('a row deleted from the workbook by hand: its new values are said to be missing, the rest is written', async () => {
    // The master at revision 1 without the row of onlyDmru[0] (whose status the merge changed).
    const gone = master.actions.find((x) => x.id === onlyDmru[0])!;
    const grid: WorkbookGrid = {
      ...masterGrid,
      sheets: masterGrid.sheets.map((sh) =>
        sh.name !== master.sheet ? sh : { ...sh, rows: sh.rows.map((r, i) => (i === gone.row ? [] : r)) },
      ),
    };
    const pane = openPane(grid, s.coordinator);
    try {
      await pane.ctl.sync();
      const notice = pane.ctl.state.notice!;
      expect(notice.kind).toBe('info');
      expect(notice.details!.map((d) => d.ro).join('\n')).toContain(
        `1 acțiune are valori noi în serviciu, dar registrul nu are rândul sau coloana lor (${gone.id})`,
      );
      const monitoring = cellOf(master, onlyDmru[1]!, 'monitoring');
      expect(valueAt(pane.fake, master.sheet, monitoring.row, monitoring.col)).toBe(
        'Raport aprobat prin dispoziția nr. 12/2023',
      );
    } finally {
      pane.close();
    }
  });
});

describe('a sync writes only the changed cells, whatever their number', () => {
  it('every DMRU row changed: one write call, the exact cells, at most 3 syncs', async () => {
    const copy = await s.gridOf(`/api/plans/${planId}/copies/DMRU.xlsx`, s.unitToken('DMRU'));
    const plan = readPlan(copy);
    const rows = plan.actions.filter((a) => owners(plan, a.id).includes('DMRU'));
    const dept = openPane(copy, s.unitToken('DMRU'));
    try {
      for (const a of rows) {
        dept.fake.userEdit(plan.sheet, cellOf(plan, a.id, 'monitoring').address, [[`Verificat ${a.id} în iunie`]]);
      }
      await dept.ctl.submit();
      expect(dept.ctl.state.receipt!.counts.willApply).toBe(rows.length);
    } finally {
      dept.close();
    }
    const merged = await s.api('POST', `/api/plans/${planId}/merges`);
    const report = MergeReport.parse(((await merged.json()) as { report: unknown }).report);
    expect(report.counts.applied).toBe(rows.length);

    const current = (await (await s.api('GET', `/api/plans/${planId}/current.json`)).json()) as { revision: number };
    const workbook = await s.gridOf(`/api/plans/${planId}/revisions/${current.revision - 1}.xlsx`);
    const pane = openPane(workbook, s.coordinator);
    try {
      const before = readPlan(pane.fake.toGrid());
      await pane.ctl.sync();
      expect(pane.ctl.state.lastSync).toMatchObject({ revision: current.revision, written: rows.length });
      expect(pane.applySyncs).toEqual([expect.any(Number)]);
      expect(pane.applySyncs[0]).toBeLessThanOrEqual(3);
      const after = readPlan(pane.fake.toGrid());
      const changed = after.actions.filter((a, i) =>
        (['status', 'monitoring', 'action', 'owners', 'deadline', 'result', 'resources'] as Field[]).some(
          (f) => a.text[f] !== before.actions[i]!.text[f],
        ),
      );
      expect(changed.map((a) => a.id)).toEqual(rows.map((a) => a.id));
      for (const a of changed) expect(a.text.monitoring).toBe(`Verificat ${a.id} în iunie`);
    } finally {
      pane.close();
    }
  });
});

describe('the service killed in the middle: the workbook is unchanged or fully updated, never half', () => {
  let revision: number;
  let reference: string;
  let from: WorkbookGrid;

  beforeAll(async () => {
    // A coordinator workbook one merge behind, with an open conflict to mark: what a sync has to do in full.
    const copy = await s.gridOf(`/api/plans/${planId}/copies/DMRU.xlsx`, s.unitToken('DMRU'));
    const plan = readPlan(copy);
    const rows = plan.actions.filter((a) => owners(plan, a.id).join() === 'DMRU').slice(0, 5);
    const dept = openPane(copy, s.unitToken('DMRU'));
    for (const a of rows) dept.fake.userEdit(plan.sheet, cellOf(plan, a.id, 'status').address, [['Amânat']]);
    await dept.ctl.submit();
    dept.close();
    const res = await s.api('POST', `/api/plans/${planId}/merges`);
    expect(res.status).toBe(201);
    revision = ((await res.json()) as { newRevision: number }).newRevision;
    from = await s.gridOf(`/api/plans/${planId}/revisions/${revision - 1}.xlsx`);
    const pane = openPane(from, s.coordinator);
    await pane.ctl.sync();
    expect(pane.ctl.state.lastSync).toMatchObject({ revision, written: 5 });
    reference = snapshot(pane.fake);
    pane.close();
  });

  const cases: [number, Cut][] = [1, 2, 3, 4].flatMap((n) => [
    [n, 'before-answer'],
    [n, 'mid-answer'],
  ]);

  it.each(cases)('sync, killed at request %i (%s)', async (n, cut) => {
    const pane = openPane(from, s.coordinator);
    try {
      const untouched = snapshot(pane.fake);
      s.killAt(n, cut);
      await pane.ctl.sync();
      await s.killed();
      expect(pane.ctl.state.notice?.kind).toBe('error');
      expect(pane.ctl.state.notice?.text.en).toMatch(/does not answer|did not answer/);
      expect(pane.ctl.state.retry).not.toBeNull();
      expect(snapshot(pane.fake)).toBe(untouched);
      expect(pane.applySyncs).toEqual([]);

      await s.start();
      await pane.ctl.retryNow();
      expect(pane.ctl.state.notice?.kind).toBe('success');
      expect(snapshot(pane.fake)).toBe(reference);
    } finally {
      await s.start();
      pane.close();
    }
  });

  it.each(['before-answer', 'mid-answer'] as Cut[])(
    'submit, killed at its request (%s): one submission, workbook untouched',
    async (cut) => {
      const copy = await s.gridOf(`/api/plans/${planId}/copies/SIC.xlsx`, s.unitToken('SIC'));
      const plan = readPlan(copy);
      const row = plan.actions.find((a) => owners(plan, a.id).includes('SIC'))!;
      const pane = openPane(copy, s.unitToken('SIC'));
      try {
        pane.fake.userEdit(plan.sheet, cellOf(plan, row.id, 'monitoring').address, [[`Notă ${cut}`]]);
        const untouched = snapshot(pane.fake);
        const pendingBefore = s.store.listSubmissions(planId, { unit: 'SIC', outcome: 'pending' }).length;
        s.killAt(1, cut);
        await pane.ctl.submit();
        await s.killed();
        expect(pane.ctl.state.notice?.kind).toBe('error');
        expect(pane.ctl.state.receipt).toBeNull();
        expect(snapshot(pane.fake)).toBe(untouched);

        await s.start();
        await pane.ctl.retryNow();
        expect(pane.ctl.state.notice?.kind).toBe('success');
        const receipt = pane.ctl.state.receipt!;
        expect(receipt.counts.willApply).toBe(1);
        // Cut mid-answer, the service had stored it: the retry gets the same receipt, not a second submission.
        expect(receipt.duplicate).toBe(cut === 'mid-answer');
        expect(s.store.listSubmissions(planId, { unit: 'SIC', outcome: 'pending' })).toHaveLength(pendingBefore + 1);
        expect(snapshot(pane.fake)).toBe(untouched);
      } finally {
        await s.start();
        pane.close();
      }
    },
  );
});
