// The column mapping in the add-in (issue 13): the coordinator picks a field's column in the Validate view; the
// choice is written into `_caf_plan` (key `columns`), in the very form the CLI's `prepare --columns` and the
// service read, and every later read of the workbook uses it. Against the strict fake Excel.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { preparePlan, readWorkbook, saveColumnChoice } from '../../addin/excel';
import { PaneController } from '../../addin/taskpane/controller';
import { createOfficePort } from '../../addin/taskpane/office-port';
import { readPlan } from '../../plan/grid';
import { META_SHEET } from '../../plan/model';
import { readWorkbookFile } from '../../service/xlsx/read';
import { LAYOUT_DIR } from '../support/layouts';
import { FakeWorkbook, installFakeOffice, type FakeOffice } from './fake-excel';

let office: FakeOffice | undefined;
afterEach(() => office?.uninstall());

async function install(file: string): Promise<FakeWorkbook> {
  const wb = FakeWorkbook.fromGrid(await readWorkbookFile(path.join(LAYOUT_DIR, file)));
  office = installFakeOffice(globalThis, wb);
  return wb;
}

describe('column mapping chosen in the add-in', () => {
  it('is stored in _caf_plan as `columns | deadline=C`, very hidden, and read back by the shared reader', async () => {
    const wb = await install('07-period-year.xlsx');
    expect(readPlan(await readWorkbook()).columns.deadline).toBe(4);
    await saveColumnChoice({ deadline: 2 });
    const grid = wb.toGrid();
    const meta = grid.sheets.find((s) => s.name === META_SHEET)!;
    expect(meta.state).toBe('veryHidden');
    expect(meta.rows).toContainEqual(['columns', 'deadline=C']);
    const plan = readPlan(await readWorkbook());
    expect(plan.columns.deadline).toBe(2);
    expect(plan.meta).toBeNull();
    // Choosing again replaces the row, never adds a second one.
    await saveColumnChoice({ deadline: 4, owners: 3 });
    expect(
      wb
        .toGrid()
        .sheets.find((s) => s.name === META_SHEET)!
        .rows.filter((r) => r[0] === 'columns'),
    ).toEqual([['columns', 'deadline=E,owners=D']]);
  });

  it('survives prepare, which rewrites _caf_plan', async () => {
    await install('07-period-year.xlsx');
    await saveColumnChoice({ deadline: 2 });
    await preparePlan(readPlan(await readWorkbook()));
    const plan = readPlan(await readWorkbook());
    expect(plan.meta?.columns).toEqual({ deadline: 2 });
    expect(plan.columns.deadline).toBe(2);
  });

  it('the pane’s Validate view picks the column and validates again', async () => {
    await install('07-period-year.xlsx');
    const pane = new PaneController(createOfficePort(), null, () => {}, '2023-01-10');
    await pane.validate();
    expect(pane.state.findings!.filter((f) => f.severity === 'error')).toEqual([]);
    await pane.chooseColumn('deadline', 2);
    expect(pane.state.notice?.text.en).toBe('Column C chosen; the plan was read again.');
    expect(pane.state.plan!.columns.deadline).toBe(2);
    // The results column holds no deadlines: each action's is now an error quoting the text.
    expect(pane.state.findings!.filter((f) => f.rule === 'deadline-format')).toHaveLength(72);
  });
});
