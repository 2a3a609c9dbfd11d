// Stands in for office.js in the task-pane browser test: served at addin/office/office.js, it installs the fake
// Excel (tests/addin/fake-excel) on window with the grid the test put in `window.__CAF_GRID__`, so the built pane
// runs unchanged against it. The test reads what the workbook received through `window.__CAF_FAKE__`.
import type { WorkbookGrid } from '../../plan/model';
import { FakeWorkbook, type FakeHost } from './fake-excel/model';
import { installFakeOffice } from './fake-excel/office';

declare global {
  interface Window {
    __CAF_GRID__?: WorkbookGrid;
    /** Which Excel to play (requirement sets, limits); Microsoft 365 by default. */
    __CAF_HOST__?: FakeHost;
    __CAF_FAKE__?: FakeWorkbook;
  }
}

const grid = window.__CAF_GRID__;
if (!grid) throw new Error('the test did not provide window.__CAF_GRID__');
const workbook = FakeWorkbook.fromGrid(grid, { host: window.__CAF_HOST__ ?? 'm365' });
installFakeOffice(window, workbook);
window.__CAF_FAKE__ = workbook;
