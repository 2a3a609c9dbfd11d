// Stands in for office.js in the task-pane browser test: served at addin/office/office.js, it installs the fake
// Excel (tests/addin/fake-excel) on window with the grid the test put in `window.__CAF_GRID__`, so the built pane
// runs unchanged against it. The test reads what the workbook received through `window.__CAF_FAKE__`.
import type { WorkbookGrid } from '../../plan/model';
import { FakeWorkbook, type FakeHost } from './fake-excel/model';
import { installFakeOffice } from './fake-excel/office';
import { readPlan } from '../../plan/grid';
import { issueCopyInFake } from './department-copy';

declare global {
  interface Window {
    __CAF_GRID__?: WorkbookGrid;
    /** Which Excel to play (requirement sets, limits); Microsoft 365 by default. */
    __CAF_HOST__?: FakeHost;
    /** When set, the workbook is made a department copy for this unit before the pane opens. */
    __CAF_COPY_UNIT__?: string;
    __CAF_FAKE__?: FakeWorkbook;
  }
}

const grid = window.__CAF_GRID__;
if (!grid) throw new Error('the test did not provide window.__CAF_GRID__');
const workbook = FakeWorkbook.fromGrid(grid, { host: window.__CAF_HOST__ ?? 'm365' });
// A department copy: the prepared plan in the grid, locked, filtered and protected as copy.ts issues it.
const copyUnit = window.__CAF_COPY_UNIT__;
if (copyUnit) {
  const plan = readPlan(grid);
  issueCopyInFake(workbook, plan, copyUnit, plan.meta ?? { planId: 'sector1-2022', revision: 1, schemaVersion: 1 });
}
installFakeOffice(window, workbook);
window.__CAF_FAKE__ = workbook;
