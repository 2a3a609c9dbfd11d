// addin/excel against the fake Excel, on the Sector 1 seed plan: what a coordinator sees after preparing,
// highlighting and filtering, and what each action costs in round trips.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  applyFilter,
  applyHighlighting,
  asExcelText,
  clearFilter,
  lastFilter,
  onPlanEdited,
  preparePlan,
  readWorkbook,
  rowsOf,
  selectCell,
  writeRows,
} from '../../addin/excel';
import { cellAddress } from '../../plan/address';
import { readPlan } from '../../plan/grid';
import { STATE_PALETTE, tableLayout } from '../../plan/highlight';
import { META_SHEET, type Plan, type PlanMeta, type WorkbookGrid } from '../../plan/model';
import { deadlineState } from '../../plan/state';
import { seedGrid } from '../support/seed';
import { FakeWorkbook, installFakeOffice, type FakeOffice } from './fake-excel';
import { evaluateConditionalFormats } from './fake-excel/evaluate';
import { scaledSeedGrid } from './scaled-plan';

const META: PlanMeta = { planId: 'sector1-2022', revision: 3, issuedAt: '2023-01-10T08:00:00.000Z', schemaVersion: 1 };
const SEM_I_2023 = /^SEM\.\s*I\s+2023$/i;

let wb: FakeWorkbook;
let office: FakeOffice;

function install(grid = seedGrid()): void {
  wb = FakeWorkbook.fromGrid(grid);
  office = installFakeOffice(globalThis, wb);
}

async function readBack(): Promise<Plan> {
  return readPlan(await readWorkbook());
}

async function preparedPlan(): Promise<Plan> {
  await preparePlan(await readBack(), META);
  return readBack();
}

/** Rows the AutoFilter leaves visible among the action rows. */
function visibleActions(plan: Plan): string[] {
  const sheet = wb.sheet(plan.sheet)!;
  return plan.actions.filter((a) => sheet.rowVisible(a.row)).map((a) => a.id);
}

const owns = (plan: Plan, code: string) =>
  plan.actions.filter((a) => new RegExp(`(^|[^A-ZĂÂÎȘȚ])${code}([^A-ZĂÂÎȘȚ]|$)`).test(a.text.owners)).map((a) => a.id);

afterEach(() => office?.uninstall());

describe('readWorkbook', () => {
  beforeEach(() => install());

  it('gives every sheet with its values, merged areas and state, the very hidden metadata sheet included', async () => {
    // A coordinator's copy: criterion rows merged across the table, as Word tables paste into Excel.
    const criterionRows = seedGrid().sheets[0]!.rows.flatMap((row, r) =>
      /^CRITERIUL/.test(String(row[0] ?? '')) ? [r] : [],
    );
    for (const r of criterionRows) wb.sheet('Plan')!.merge({ top: r, left: 0, bottom: r, right: 5 });
    const meta = wb.addSheet(META_SHEET);
    meta.writeValues({ top: 0, left: 0, bottom: 0, right: 1 }, [['planId', 'p1']]);
    meta.visibility = 'VeryHidden';

    const grid = await readWorkbook();
    // Rows are ragged (SheetGrid): compare without trailing empty cells.
    const trimmed = (g: WorkbookGrid) =>
      g.sheets.map((s) => ({
        ...s,
        rows: s.rows.map((row) => row.slice(0, row.findLastIndex((v) => v !== null) + 1)),
      }));
    expect(trimmed(grid)).toEqual(trimmed(wb.toGrid()));
    expect(grid.sheets.map((s) => [s.name, s.state])).toEqual([
      ['Plan', 'visible'],
      [META_SHEET, 'veryHidden'],
    ]);
    expect(grid.sheets[0]!.merges).toHaveLength(criterionRows.length);
    expect(readPlan(grid).actions).toHaveLength(72);
  });
});

describe('preparePlan', () => {
  beforeEach(() => install());

  it('appends ID, Stare and the two hidden helpers right of the table and leaves the team’s cells as they were', async () => {
    const before = wb.toGrid().sheets[0]!.rows;
    const original = await readBack();
    const { layout } = await preparePlan(original, META);
    const plan = await readBack();
    const sheet = wb.sheet('Plan')!;

    expect(layout.columns).toEqual({ id: 6, status: 7, dueDate: 8, ownerCodes: 9 });
    expect(plan.columns).toMatchObject(layout.columns);
    expect([6, 7, 8, 9].map((c) => sheet.value(plan.headerRow, c))).toEqual([
      'ID',
      'Stare',
      'Termen calculat',
      'Coduri responsabili',
    ]);
    expect(sheet.hiddenColumns).toEqual(new Set([8, 9]));
    // Nothing shifted: the six columns of the team are untouched.
    before.forEach((row, r) => row.slice(0, 6).forEach((v, c) => expect(sheet.value(r, c)).toBe(v ?? '')));

    expect(plan.actions.map((a) => a.id)).toEqual(original.actions.map((a) => a.id));
    for (const a of plan.actions) {
      expect(sheet.value(a.row, 6)).toBe(a.id); // stored as text, never turned into a date or number
      expect(a.text.status).toBe('Neînceput');
      expect(sheet.validationAt(a.row, 7)?.list.source).toBe(
        'Neînceput,În curs,Parțial realizat,Realizat,Amânat,Anulat',
      );
    }
    // The dropdown is on action rows only, never on criterion, subcriterion or header rows.
    for (const c of plan.subcriteria) expect(sheet.validationAt(c.row, 7)).toBeNull();
    expect(sheet.validationAt(plan.headerRow, 7)).toBeNull();

    const smartCity = plan.actions.find((a) => a.text.owners.startsWith('CL, DI, DME'))!;
    expect(sheet.value(smartCity.row, 9)).toBe(';CL;CSDDPP;DGAPL;DI;DME;SIC;');
    const permanent = plan.actions.find((a) => a.text.deadline === 'Permanent')!;
    expect(sheet.value(permanent.row, 8)).toBe('recurent');
    const semI = plan.actions.find((a) => SEM_I_2023.test(a.text.deadline))!;
    expect(sheet.value(semI.row, 8)).toBe(45107); // 30.06.2023
    expect(sheet.cell(semI.row, 8)?.numberFormat).toBe('dd.mm.yyyy');

    expect(wb.sheet(META_SHEET)?.visibility).toBe('VeryHidden');
    expect(plan.meta).toEqual(META);
  });

  it('is idempotent: a prepared plan keeps its columns and values', async () => {
    const plan = await preparedPlan();
    const grid = wb.toGrid();
    await preparePlan(plan, META);
    expect(wb.toGrid()).toEqual(grid);
  });
});

describe('applyHighlighting', () => {
  beforeEach(() => install());

  async function highlighted(done: string[] = []): Promise<Plan> {
    let plan = await preparedPlan();
    for (const id of done) {
      const a = plan.actions.find((x) => x.id === id)!;
      wb.userEdit('Plan', cellAddress(a.row, plan.columns.status!), [['Realizat']]);
    }
    plan = await readBack();
    await applyHighlighting(plan, { soonDays: 30 });
    return plan;
  }

  function colours(plan: Plan, today: string) {
    const map = evaluateConditionalFormats(wb.sheet('Plan')!, today);
    return new Map(plan.actions.map((a) => [a.id, map.get(a.row)?.fill ?? null]));
  }

  it('colours each action by its deadline state, as the pure deadlineState says, on any day', async () => {
    const plan = await highlighted(['1.1.1', '2.2.1']);
    for (const today of ['2022-11-20', '2023-06-15', '2023-07-01', '2024-01-15']) {
      const fills = colours(plan, today);
      for (const a of plan.actions) {
        const state = deadlineState(a, today, 30);
        expect([a.id, today, fills.get(a.id)]).toEqual([
          a.id,
          today,
          state === 'on-track' ? null : STATE_PALETTE[state].fill,
        ]);
      }
    }
    // Rows that are not actions stay uncoloured.
    const map = evaluateConditionalFormats(wb.sheet('Plan')!, '2023-07-01');
    const actionRows = new Set(plan.actions.map((a) => a.row));
    expect([...map.keys()].filter((r) => !actionRows.has(r))).toEqual([]);
  });

  it('on 2023-07-01 every SEM. I 2023 action not done is overdue; on 2023-06-15 due soon; Permanent recurring; Realizat done', async () => {
    const plan = await highlighted(['3.1.3', '5.1.3']); // two SEM. I 2023 actions marked Realizat
    const semI = plan.actions.filter((a) => SEM_I_2023.test(a.text.deadline.trim()));
    expect(semI.length).toBeGreaterThan(15);
    const done = new Set(['3.1.3', '5.1.3']);
    expect(semI.filter((a) => done.has(a.id))).toHaveLength(2);

    const july = colours(plan, '2023-07-01');
    const june = colours(plan, '2023-06-15');
    for (const a of semI) {
      expect([a.id, july.get(a.id)]).toEqual([
        a.id,
        done.has(a.id) ? STATE_PALETTE.done.fill : STATE_PALETTE.overdue.fill,
      ]);
      expect([a.id, june.get(a.id)]).toEqual([
        a.id,
        done.has(a.id) ? STATE_PALETTE.done.fill : STATE_PALETTE['due-soon'].fill,
      ]);
    }
    const permanent = plan.actions.filter((a) => a.text.deadline.trim() === 'Permanent');
    expect(permanent.length).toBeGreaterThan(3);
    for (const a of permanent) expect(july.get(a.id)).toBe(STATE_PALETTE.recurring.fill);
  });

  it('puts its rules on the table body with absolute columns, replaces them when re-run and keeps the team’s own rules ahead of them', async () => {
    const plan = await preparedPlan();
    await Excel.run(async (context) => {
      const cf = context.workbook.worksheets
        .getItem('Plan')
        .getRange('E77:E90')
        .conditionalFormats.add(Excel.ConditionalFormatType.custom);
      cf.custom.rule.formula = '=LEN(E77)>200';
      cf.custom.format.fill.color = '#123456';
    });
    await applyHighlighting(plan, { soonDays: 30 });
    await applyHighlighting(plan, { soonDays: 14 });
    const rules = wb.sheet('Plan')!.conditionalFormats;
    expect(rules).toHaveLength(6);
    // The team's rule keeps its precedence: first, so our stopIfTrue rules below never hide it.
    expect(rules[0]!.formula).toBe('=LEN(E77)>200');
    expect(rules.slice(1).map((r) => r.fill)).toEqual(
      ['done', 'recurring', 'invalid', 'overdue', 'due-soon'].map(
        (s) => STATE_PALETTE[s as keyof typeof STATE_PALETTE].fill,
      ),
    );
    const layout = tableLayout(plan)!;
    for (const r of rules.slice(1)) {
      expect(r.rect).toEqual({
        top: layout.bodyTop,
        left: layout.left,
        bottom: layout.bodyBottom,
        right: layout.right,
      });
      expect(r.formula).toMatch(/\$[HI]76\b/);
      expect(r.formula).not.toMatch(/[^$][A-Z]76\b/);
    }
    expect(rules[5]!.formula).toContain('TODAY()+14');
  });
});

describe('applyFilter', () => {
  let plan: Plan;
  beforeEach(async () => {
    install();
    plan = await preparedPlan();
  });

  it('shows the rows of one unit, multi-owner rows included, and counts them', async () => {
    const outcome = await applyFilter(plan, { units: ['DMRU'] }, { today: '2023-07-01' });
    const shown = visibleActions(plan);
    expect(shown).toEqual(owns(plan, 'DMRU'));
    expect(shown.length).toBeGreaterThan(10);
    expect(outcome).toEqual({ shown: shown.length, total: 72 });
    expect(shown).toContain('3.1.3'); // "DMRU, Șefi departamente ..."
    expect(shown).toContain('3.3.2'); // "STLSA, DJLCA, DMRU"
  });

  it('matches DI exactly: never a row of CSDDPP or one that names a Direcția in words', async () => {
    const row = plan.actions.find((a) => a.id === '6.1.2')!;
    wb.userEdit('Plan', cellAddress(row.row, plan.columns.owners!), [['DIRECȚIA Management Economic']]);
    plan = await readBack();
    await preparePlan(plan, META); // recomputes the owner codes helper
    plan = await readBack();
    await applyFilter(plan, { units: ['DI'] }, { today: '2023-07-01' });
    const shown = visibleActions(plan);
    expect(shown).toEqual(owns(plan, 'DI'));
    expect(shown.length).toBe(2);
    expect(shown).not.toContain('6.1.2');
    const csddppOnly = plan.actions.filter((a) => /CSDDPP/.test(a.text.owners) && !/\bDI\b/.test(a.text.owners));
    expect(csddppOnly.length).toBeGreaterThan(3);
    for (const a of csddppOnly) expect(shown).not.toContain(a.id);
    // The same multi-owner row shows under each of its units.
    await applyFilter(plan, { units: ['SIC'] }, { today: '2023-07-01' });
    expect(visibleActions(plan)).toContain('2.4.1');
    await applyFilter(plan, { units: ['CSDDPP'] }, { today: '2023-07-01' });
    expect(visibleActions(plan)).toContain('2.4.1');
  });

  it('filters by criterion and by deadline state, combined, and remembers the choice in the document', async () => {
    const today = '2023-07-01';
    const outcome = await applyFilter(plan, { criteria: ['3'], states: ['overdue'] }, { today, soonDays: 30 });
    const expected = plan.actions
      .filter((a) => a.id.startsWith('3.') && deadlineState(a, today, 30) === 'overdue')
      .map((a) => a.id);
    expect(visibleActions(plan)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(3);
    expect(outcome.shown).toBe(expected.length);
    expect(lastFilter()).toEqual({ units: [], criteria: ['3'], states: ['overdue'] });
    expect(wb.savedSettings['caf-plan.filter']).toEqual({ units: [], criteria: ['3'], states: ['overdue'] });

    for (const state of ['recurring', 'due-soon', 'on-track', 'invalid', 'done'] as const) {
      await applyFilter(plan, { states: [state] }, { today: '2023-06-15', soonDays: 30 });
      expect([state, visibleActions(plan)]).toEqual([
        state,
        plan.actions.filter((a) => deadlineState(a, '2023-06-15', 30) === state).map((a) => a.id),
      ]);
    }
  });

  it('uses the sheet’s own AutoFilter, so clearing shows every row again', async () => {
    await applyFilter(plan, { units: ['SIC'] }, { today: '2023-07-01' });
    expect(wb.sheet('Plan')!.autoFilter?.rect).toMatchObject({ top: plan.headerRow, left: 0, right: 9 });
    await clearFilter('Plan');
    expect(visibleActions(plan)).toHaveLength(72);
    expect(lastFilter()).toBeNull();
  });
});

describe('department copies, writing back, events', () => {
  let plan: Plan;
  beforeEach(async () => {
    install();
    plan = await preparedPlan();
  });

  it('filters by several units, criteria and states at once, as the plan says', async () => {
    const today = '2023-07-01';
    const cases = [
      { units: ['DMRU', 'SIC', 'DI'] },
      { units: ['DMRU', 'SIC'], criteria: ['1', '3', '9'] },
      { criteria: ['2', '4'], states: ['overdue', 'done'] as const },
      { units: ['SMI'], states: ['recurring', 'on-track', 'invalid'] as const },
    ];
    for (const choice of cases) {
      const outcome = await applyFilter(plan, choice, { today, soonDays: 30 });
      // Expected from the seed's own text: owners by word, criterion by id prefix, state by plan/state.
      const expected = plan.actions
        .filter(
          (a) =>
            (!('units' in choice) || choice.units!.some((u) => owns(plan, u).includes(a.id))) &&
            (!('criteria' in choice) || choice.criteria!.some((c) => a.id.startsWith(`${c}.`))) &&
            (!('states' in choice) || (choice.states as readonly string[]).includes(deadlineState(a, today, 30))),
        )
        .map((a) => a.id);
      expect([choice, visibleActions(plan)]).toEqual([choice, expected]);
      expect(outcome.shown).toBe(expected.length);
      expect(expected.length).toBeGreaterThan(0);
    }
  });

  it('writeRows writes submitted text as text, never as a formula, a date, a number or an error', async () => {
    // Texts Excel would read as something else (the fake parses as Excel does), each as a department typed it.
    const texts = [
      '=HYPERLINK("http://x","y")',
      '1.5',
      '- în lucru',
      'Dec 2024',
      'Sep-24',
      '(100)',
      '$100',
      '50%',
      '#N/A',
      '30.06.2023',
      'TRUE',
    ];
    const col = plan.columns.monitoring!;
    const rows = plan.actions.slice(0, texts.length).map((a) => a.row);
    const teamFormat = wb
      .sheet('Plan')!
      .numberFormats({ top: rows[0]!, left: col, bottom: rows[0]!, right: col })[0]![0];
    await writeRows(
      'Plan',
      [
        ...texts.map((value, i) => ({ row: rows[i]!, col, value })),
        { row: rows[0]!, col: plan.columns.status!, value: 'În curs' },
      ],
      new Set([plan.columns.status!]),
    );
    const sheet = wb.sheet('Plan')!;
    texts.forEach((text, i) => {
      expect([text, sheet.value(rows[i]!, col), sheet.cell(rows[i]!, col)?.parsedAs]).toEqual([text, text, undefined]);
      expect(sheet.cell(rows[i]!, col)?.formula).toBeUndefined();
    });
    // The team's column keeps its format; the product's Stare column is Text.
    expect(sheet.numberFormats({ top: rows[0]!, left: col, bottom: rows[0]!, right: col })[0]![0]).toBe(teamFormat);
    expect(sheet.value(rows[0]!, plan.columns.status!)).toBe('În curs');
    expect(
      sheet.numberFormats({
        top: rows[0]!,
        left: plan.columns.status!,
        bottom: rows[0]!,
        right: plan.columns.status!,
      })[0]![0],
    ).toBe('@');
    expect(asExcelText('Raport')).toBe("'Raport");
  });

  it('prepare formats only the cells it writes: the team’s cells keep their number format', async () => {
    install();
    const sheet = wb.sheet('Plan')!;
    const p = readPlan(wb.toGrid());
    // The team's own Stare column, with a percentage format on a criterion row the product leaves alone.
    const statusCol = 7;
    sheet.writeValues({ top: p.headerRow, left: statusCol, bottom: p.headerRow, right: statusCol }, [['Stare']]);
    const criterionRow = p.criteria[1]!.row;
    sheet.writeNumberFormat({ top: criterionRow, left: statusCol, bottom: criterionRow, right: statusCol }, [['0%']]);
    sheet.writeNumberFormat({ top: p.headerRow, left: statusCol, bottom: p.headerRow, right: statusCol }, [['@']]);
    const before = readPlan(wb.toGrid());
    expect(before.columns.status).toBe(statusCol);
    await preparePlan(before, META);
    expect(
      sheet.numberFormats({ top: criterionRow, left: statusCol, bottom: criterionRow, right: statusCol })[0]![0],
    ).toBe('0%');
    expect(
      sheet.numberFormats({ top: p.headerRow, left: statusCol, bottom: p.headerRow, right: statusCol })[0]![0],
    ).toBe('@');
    const action = before.actions[0]!;
    expect(sheet.numberFormats({ top: action.row, left: statusCol, bottom: action.row, right: statusCol })[0]![0]).toBe(
      '@',
    );
  });

  it('onPlanEdited batches quick edits into one call with the changed rows, until stopped', async () => {
    const calls: number[][] = [];
    const stop = await onPlanEdited(plan, (edit) => calls.push(edit.rows), { debounceMs: 30 });
    const [a, b] = plan.actions;
    wb.userEdit('Plan', cellAddress(a!.row, plan.columns.status!), [['În curs']]);
    wb.userEdit('Plan', `${cellAddress(b!.row, 4)}:${cellAddress(b!.row + 1, 4)}`, [['x'], ['y']]);
    await new Promise((r) => setTimeout(r, 80));
    expect(calls).toEqual([[a!.row, b!.row, b!.row + 1]]);
    await stop();
    wb.userEdit('Plan', cellAddress(a!.row, plan.columns.status!), [['Realizat']]);
    await new Promise((r) => setTimeout(r, 80));
    expect(calls).toHaveLength(1);
  });

  it('understands whole-row, whole-column and several-area change addresses', () => {
    expect(rowsOf('Plan!D5:F7')).toEqual([4, 5, 6]);
    expect(rowsOf('5:7')).toEqual([4, 5, 6]);
    expect(rowsOf("'Plan CAF'!$9:$9")).toEqual([8]);
    expect(rowsOf('D5,F9:F10')).toEqual([4, 8, 9]);
    expect(rowsOf('A:A')).toBe('all');
    expect(rowsOf('Plan!B:D')).toBe('all');
  });

  it('re-validates after a whole column is pasted: the event comes as A:A', async () => {
    const calls: { rows: number[]; all: boolean }[] = [];
    const stop = await onPlanEdited(plan, (edit) => calls.push(edit), { debounceMs: 20 });
    const handlers = [...wb.sheet('Plan')!.changedHandlers];
    for (const h of handlers)
      await h({
        type: 'WorksheetChanged',
        changeType: 'RangeEdited',
        source: 'Local',
        worksheetId: '',
        address: 'E:E',
      });
    await new Promise((r) => setTimeout(r, 60));
    expect(calls).toEqual([{ rows: [], all: true }]);
    await stop();
  });

  it('selectCell activates the sheet and selects a finding’s cell', async () => {
    await selectCell('Plan', 'D80');
    expect(wb.selection).toEqual({ sheet: 'Plan', rect: { top: 79, left: 3, bottom: 79, right: 3 } });
  });
});

describe('round trips', () => {
  for (const size of [72, 1_000, 10_000]) {
    it(`every action costs at most 3 syncs (reading: per 4 MB chunk) and stays under Excel on the web's 5 MB payloads at ${size} actions`, async () => {
      install(scaledSeedGrid(size));
      const steps: [string, () => Promise<unknown>][] = [];
      let plan = readPlan(wb.toGrid());
      expect(plan.actions).toHaveLength(size);
      steps.push(['readWorkbook', () => readWorkbook()]);
      steps.push(['preparePlan', async () => (plan = (await preparePlan(plan, META)).plan)]);
      steps.push(['applyHighlighting', () => applyHighlighting(plan, { soonDays: 30 })]);
      steps.push([
        'applyFilter',
        () => applyFilter(plan, { units: ['DMRU'], states: ['overdue'] }, { today: '2023-07-01' }),
      ]);
      steps.push(['clearFilter', () => clearFilter('Plan')]);
      steps.push([
        'writeRows',
        () =>
          writeRows(
            'Plan',
            plan.actions.map((a) => ({ row: a.row, col: plan.columns.monitoring!, value: 'verificat' })),
          ),
      ]);
      const costs: Record<string, number> = {};
      for (const [name, step] of steps) {
        wb.resetStats();
        await step();
        costs[name] = wb.stats.syncs;
        expect([name, wb.stats.runs]).toEqual([name, 1]);
        expect([name, wb.stats.largestRequestBytes < 5 * 1024 * 1024]).toEqual([name, true]);
        expect([name, wb.stats.largestResponseBytes < 5 * 1024 * 1024]).toEqual([name, true]);
      }
      // Reading is sized: 3 syncs while the table fits one 4 MB response, one more per further chunk.
      for (const [name, syncs] of Object.entries(costs))
        expect([name, syncs <= (name === 'readWorkbook' ? 3 + Math.floor(size / 5_000) : 3)]).toEqual([name, true]);
      // The prepared plan reads back whole at this size.
      expect(readPlan(await readWorkbook()).actions).toHaveLength(size);
    }, 120_000);
  }
});
