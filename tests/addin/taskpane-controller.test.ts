// The pane's behaviour (controller.ts) through the real addin/excel code against the fake Excel, seed plan loaded:
// what the user is told and what the workbook receives, without a browser.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PaneController, type PaneState } from '../../addin/taskpane/controller';
import { createOfficePort } from '../../addin/taskpane/office-port';
import { SETTINGS_KEY, type KeyValueStore } from '../../addin/taskpane/settings';
import { message } from '../../addin/i18n';
import { cellAddress } from '../../plan/address';
import { readPlan } from '../../plan/grid';
import { ownerCodes } from '../../plan/owners';
import { seedGrid } from '../support/seed';
import { FakeWorkbook } from './fake-excel/model';
import { installFakeOffice, type FakeOffice } from './fake-excel/office';

const TODAY = '2023-06-01';
const seedPlan = readPlan(seedGrid());
const dmru = seedPlan.actions.filter((a) => ownerCodes(a.text.owners, seedPlan.units).includes('DMRU'));

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

let office: FakeOffice;
let workbook: FakeWorkbook;

beforeEach(() => {
  workbook = FakeWorkbook.fromGrid(seedGrid());
  office = installFakeOffice(globalThis, workbook);
});

afterEach(() => office.uninstall());

function pane(store: KeyValueStore = memoryStore()): { controller: PaneController; states: PaneState[] } {
  const states: PaneState[] = [];
  const controller = new PaneController(createOfficePort(), store, (s) => states.push(s), TODAY, 10);
  return { controller, states };
}

describe('the task pane against Excel', () => {
  it('on opening reads the plan once: units for the filter, the summary, no error', async () => {
    const { controller, states } = pane();
    await controller.start();
    const s = controller.state;
    expect(s.busy).toBeNull();
    expect(s.notice).toBeNull();
    expect(s.plan?.units.map((u) => u.code)).toEqual(seedPlan.units.map((u) => u.code));
    expect(s.summary?.total).toBe(72);
    expect(s.findings).toBeNull(); // not validated yet
    // Progress was shown while reading.
    expect(states.some((x) => x.busy === 'stepReading')).toBe(true);
  });

  it('refuses to highlight or filter an unprepared plan with a message that says what to do', async () => {
    const { controller } = pane();
    await controller.start();
    await controller.highlight();
    expect(controller.state.notice).toEqual({ kind: 'error', text: message('errorNotPrepared') });
    expect(workbook.sheet('Plan')!.conditionalFormats).toHaveLength(0);
    controller.setFilterChoice({ units: ['DMRU'] });
    await controller.applyFilter();
    expect(controller.state.notice?.kind).toBe('error');
    expect(workbook.sheet('Plan')!.autoFilter).toBeNull();
  });

  it('prepares, then filters by unit and remembers the choice in the workbook and in the pane', async () => {
    const store = memoryStore();
    const { controller } = pane(store);
    await controller.start();
    await controller.prepare();
    expect(controller.state.notice?.kind).toBe('success');
    controller.setFilterChoice({ units: ['DMRU'] });
    await controller.applyFilter();
    expect(controller.state.filterOutcome).toEqual({ shown: dmru.length, total: 72 });
    expect(controller.state.notice?.text.ro).toBe(`Filtru aplicat: ${dmru.length} din 72 de acțiuni afișate.`);
    const sheet = workbook.sheet('Plan')!;
    expect(seedPlan.actions.filter((a) => !sheet.filteredRows.has(a.row)).map((a) => a.id)).toEqual(
      dmru.map((a) => a.id),
    );
    expect(JSON.parse(store.data.get(SETTINGS_KEY)!).filter).toEqual({
      units: ['DMRU'],
      criteria: [],
      states: [],
      applied: true,
    });

    // Reopening the pane on this workbook re-applies its filter, even if the pane remembers another choice.
    sheet.filteredRows.clear();
    const other = memoryStore();
    other.setItem(
      SETTINGS_KEY,
      JSON.stringify({
        lang: 'en',
        soonDays: 30,
        filter: { units: ['SIC'], criteria: [], states: [], applied: false },
      }),
    );
    const reopened = pane(other).controller;
    await reopened.start();
    expect(reopened.state.settings.filter).toMatchObject({ units: ['DMRU'], applied: true });
    expect(reopened.state.notice?.text.en).toBe(`Filter applied: ${dmru.length} of 72 actions shown.`);
    expect(sheet.filteredRows.size).toBeGreaterThan(0);

    await reopened.clearFilter();
    expect(sheet.filteredRows.size).toBe(0);
    expect(reopened.state.settings.filter).toEqual({ units: [], criteria: [], states: [], applied: false });
  });

  it('a filter by deadline state hides what is not overdue on that day', async () => {
    const { controller } = pane();
    await controller.start();
    await controller.prepare();
    controller.setFilterChoice({ states: ['overdue'] });
    await controller.applyFilter();
    const overdue = controller.state.summary!.byState.overdue;
    expect(controller.state.filterOutcome).toEqual({ shown: overdue, total: 72 });
  });

  it('refreshes the counts by itself after the user edits the plan sheet', async () => {
    const { controller } = pane();
    await controller.start();
    await controller.prepare();
    await controller.validate();
    const plan = controller.state.plan!;
    expect(controller.state.summary!.byState.done).toBe(0);
    const first = plan.actions[0]!;
    workbook.userEdit('Plan', cellAddress(first.row, plan.columns.status!), [['Realizat']]);
    await vi.waitFor(() => expect(controller.state.summary!.byState.done).toBe(1), { timeout: 3000 });
    expect(controller.state.findings).not.toBeNull(); // validated findings are kept up to date too
  });

  it('selects the cell of a finding, and reports an Excel failure in both languages without a stack', async () => {
    const { controller } = pane();
    await controller.start();
    await controller.validate();
    const finding = controller.state.findings!.find((f) => f.cell)!;
    await controller.selectFinding(finding);
    expect(workbook.selection?.sheet).toBe('Plan');
    expect(controller.state.notice?.text.ro).toBe(`Celula ${finding.cell} este selectată.`);

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await controller.selectFinding({ ...finding, sheet: 'Foaie ștearsă' });
    warn.mockRestore();
    const notice = controller.state.notice!;
    expect(notice.kind).toBe('error');
    expect(notice.text.ro).toMatch(/^Excel nu a putut finaliza operația\. .*\(ItemNotFound\)$/);
    expect(notice.text.en).toMatch(/^Excel could not complete the operation\. .*\(ItemNotFound\)$/);
    expect(controller.state.busy).toBeNull(); // the pane is usable again
  });

  it("a department copy opens on its unit's rows and validates only them", async () => {
    const setup = pane();
    await setup.controller.start();
    await setup.controller.prepare();
    // What a copy issued for DMRU holds: its unit in _caf_plan (first key wins, so a row below the others does).
    workbook.userEdit('_caf_plan', 'A40:B40', [['unit', 'DMRU']]);
    const prepared = readPlan(workbook.toGrid());
    const status = prepared.columns.status!;
    const other = prepared.actions.find((a) => !ownerCodes(a.text.owners, prepared.units).includes('DMRU'))!;
    workbook.userEdit('Plan', cellAddress(dmru[0]!.row, status), [['gata']]);
    workbook.userEdit('Plan', cellAddress(other.row, status), [['gata']]);

    const { controller } = pane(); // a fresh pane: nothing remembered for this workbook
    await controller.start();
    expect(controller.state.settings.filter).toMatchObject({ units: ['DMRU'], applied: true });
    expect(controller.state.filterOutcome).toEqual({ shown: dmru.length, total: 72 });
    const sheet = workbook.sheet('Plan')!;
    expect(prepared.actions.filter((a) => !sheet.filteredRows.has(a.row)).map((a) => a.id)).toEqual(
      dmru.map((a) => a.id),
    );

    await controller.validate();
    const rows = new Set(controller.state.findings!.map((f) => f.rowId));
    expect(rows.has(dmru[0]!.id)).toBe(true); // the unit's own invalid status
    expect(rows.has(other.id)).toBe(false); // another unit's row: locked to this department, not listed
    for (const id of rows) expect(id === undefined || dmru.some((a) => a.id === id)).toBe(true);
    expect(controller.state.notice?.text.ro).toMatch(
      new RegExp(`^${dmru.length} acțiuni ale unității DMRU verificate: 1 eroare, \\d+ avertismente?\\.$`),
    );
  });

  it('says the pane must be opened from Excel when Office is not there', async () => {
    office.uninstall();
    const { controller } = pane();
    await controller.start();
    expect(controller.state.offline).toBe(true);
    expect(controller.state.notice).toEqual({ kind: 'error', text: message('errorNoOffice') });
    await controller.validate(); // ignored, no crash
    expect(controller.state.findings).toBeNull();
  });
});
