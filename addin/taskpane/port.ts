// What the pane needs from Excel, as one small interface. office-port.ts implements it with addin/excel (the only
// code that calls Office.js); the controller's tests implement it in memory.
import type { FilterChoice } from './settings';
import type { ColumnChoice, LocalDate, Plan, WorkbookGrid } from '../../plan/model';

export interface FilterOutcome {
  /** Action rows left visible. */
  shown: number;
  total: number;
}

/** A filter as the workbook remembers it (addin/excel keeps it in the document settings). */
export type AppliedFilter = Omit<FilterChoice, 'applied'>;

export interface ExcelPort {
  /** Resolves when Office.js is ready; rejects when the page is not running inside Office. */
  ready(): Promise<void>;
  readWorkbook(): Promise<WorkbookGrid>;
  preparePlan(plan: Plan): Promise<void>;
  applyHighlighting(plan: Plan, soonDays: number): Promise<void>;
  applyFilter(plan: Plan, choice: FilterChoice, today: LocalDate, soonDays: number): Promise<FilterOutcome>;
  clearFilter(plan: Plan): Promise<void>;
  /** The filter last applied to this workbook by the add-in, or null. */
  lastFilter(): AppliedFilter | null;
  selectCell(sheet: string, address: string): Promise<void>;
  /** Calls `handler` after the user edits the plan sheet; returns a function that stops listening. */
  onPlanEdited(plan: Plan, handler: () => void): Promise<() => Promise<void>>;
  /** Stores the coordinator's column mapping in `_caf_plan` (key `columns`), read by every host. */
  saveColumnChoice?(choice: ColumnChoice): Promise<void>;
}
