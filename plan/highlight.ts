// What a prepared plan sheet carries so that Excel itself keeps deadlines coloured and filterable without the
// add-in: the values of the columns `prepare` adds, the conditional-format rules as data, the AutoFilter criteria
// and the counts the task pane shows. Pure: the add-in (addin/excel) and the service (service/xlsx) apply the same data,
// so a workbook prepared by the CLI and one prepared in Excel look and filter alike.
import { columnLetters } from './address';
import { isoToExcelSerial, addDays } from './date';
import { parseDeadline, deadlineDue } from './deadline';
import {
  ADDED_HEADERS,
  DUE_HELPER_INVALID,
  DUE_HELPER_RECURRING,
  type Action,
  type CellValue,
  type LocalDate,
  type Plan,
} from './model';
import { ownerCodes, ownerCodesCell } from './owners';
import { DEADLINE_STATES, DEFAULT_SOON_DAYS, deadlineState, type DeadlineState } from './state';
import { STATUSES, parseStatus, statusLabel } from './status';

/** The states that get a colour; `on-track` keeps the sheet's own formatting. */
export type HighlightedState = Exclude<DeadlineState, 'on-track'>;

/**
 * One palette for every place that shows a deadline state (conditional formats, task pane, merged workbook):
 * Excel's own "good / neutral / bad" pairs, so the sheet looks familiar, plus blue and grey for the states Excel
 * has no convention for. Fill and font are contrast-checked pairs (WCAG AA on the fill).
 */
export const STATE_PALETTE: Record<HighlightedState, { fill: string; font: string }> = {
  overdue: { fill: '#FFC7CE', font: '#9C0006' },
  'due-soon': { fill: '#FFEB9C', font: '#7A4600' },
  done: { fill: '#C6EFCE', font: '#006100' },
  recurring: { fill: '#DDEBF7', font: '#1F4E78' },
  invalid: { fill: '#E7E6E6', font: '#7B2C00' },
};

/** The statuses that end an action (SPEC 3: `done` is Realizat or Anulat). */
export const DONE_LABELS: readonly string[] = STATUSES.filter((s) => s.code === 'done' || s.code === 'cancelled').map(
  (s) => s.ro,
);

/** Where the prepared table lies on its sheet, 0-based. */
export interface TableLayout {
  sheet: string;
  headerRow: number;
  /** Rows of the table body: from under the header to the last row of the last action (continuation rows included). */
  bodyTop: number;
  bodyBottom: number;
  /** Leftmost column of the team's table. */
  left: number;
  /** Rightmost visible column the highlighting covers (the table's last column, Stare included). */
  right: number;
  columns: { id: number; status: number; dueDate: number; ownerCodes: number };
}

/** The layout of a prepared plan, or null when the plan lacks one of the columns `prepare` adds (or has no action). */
export function tableLayout(plan: Plan): TableLayout | null {
  const { id, status, dueDate, ownerCodes: codes } = plan.columns;
  if (id === undefined || status === undefined || dueDate === undefined || codes === undefined) return null;
  const last = plan.actions.at(-1);
  if (!last) return null;
  const visible = Object.entries(plan.columns)
    .filter(([field]) => field !== 'dueDate' && field !== 'ownerCodes')
    .map(([, col]) => col as number);
  return {
    sheet: plan.sheet,
    headerRow: plan.headerRow,
    bodyTop: plan.headerRow + 1,
    bodyBottom: Math.max(last.row, ...last.continuationRows),
    left: Math.min(...visible),
    right: Math.max(...visible),
    columns: { id, status, dueDate, ownerCodes: codes },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The values of the columns `prepare` adds

/**
 * What the due-date helper holds for an action: its due date as an Excel serial (so `TODAY()` compares with it),
 * `recurent` for recurring and legal deadlines, `invalid` for empty or unreadable ones: the same split as
 * deadlineState (plan/state.ts), which is what keeps the colours in Excel and in the task pane the same.
 */
export function dueHelperValue(action: Action): number | string {
  const deadline = parseDeadline(action.values.deadline ?? action.text.deadline);
  const due = deadlineDue(deadline);
  if (due !== null) return isoToExcelSerial(due);
  return deadline.kind === 'recurring' || deadline.kind === 'legal' ? DUE_HELPER_RECURRING : DUE_HELPER_INVALID;
}

/** The owner-codes helper of an action (`;DMRU;SIC;`): what the per-unit filter matches. */
export function ownerCodesValue(action: Action, plan: Plan): string {
  return ownerCodesCell(ownerCodes(action.text.owners, plan.units));
}

/**
 * The Stare an action gets when the plan is prepared: its status' canonical label (so the dropdown, the
 * conditional formats and the filters, which compare labels, see `Realizat` and not `realizată`), `Neînceput`
 * where empty, and the text unchanged when it is not a status (validation reports it).
 */
export function preparedStatus(text: string): string {
  const status = parseStatus(text);
  if (status.kind === 'ok') return statusLabel(status.code);
  if (status.kind === 'empty') return statusLabel('not-started');
  return text;
}

/** One column `prepare` writes: its cells from the header row to the last body row (null = leave the cell as it is). */
export interface PreparedColumn {
  column: 'id' | 'status' | 'dueDate' | 'ownerCodes';
  col: number;
  /** True when the column is new (appended at the right of the table); false when the sheet already had it. */
  added: boolean;
  /** values[i] is the cell at row headerRow + i. */
  values: CellValue[];
  /** Excel number format of the body cells: text for ids and codes (so `1.1.1` never turns into a date), a date for due dates. */
  numberFormat: string;
  hidden: boolean;
}

export interface Preparation {
  /** The plan as it reads once the columns are written. */
  plan: Plan;
  layout: TableLayout;
  columns: PreparedColumn[];
  /** Runs of consecutive action rows [top, bottom] (0-based, inclusive): where the Stare dropdown goes. */
  actionRuns: [number, number][];
}

export const DUE_DATE_FORMAT = 'dd.mm.yyyy';
export const TEXT_FORMAT = '@';

/**
 * What `prepare` writes into a plan sheet (Decisions in the brief): ID, Stare, then the two hidden helpers, each
 * appended at the right of the table unless the sheet already has it (a re-prepared plan reuses its columns).
 * `firstFreeColumn` is the first column right of everything in the header row. Headers are written on the header
 * row and on its repeats (page breaks of the original document), so every part of the table reads the same.
 */
export function preparePlanColumns(plan: Plan, firstFreeColumn: number): Preparation {
  let next = Math.max(firstFreeColumn, ...Object.values(plan.columns).map((c) => c + 1));
  const place = (field: 'id' | 'status' | 'dueDate' | 'ownerCodes'): { col: number; added: boolean } => {
    const existing = plan.columns[field];
    return existing === undefined ? { col: next++, added: true } : { col: existing, added: false };
  };
  const idPlace = place('id');
  const statusPlace = place('status');
  const duePlace = place('dueDate');
  const codesPlace = place('ownerCodes');

  const last = plan.actions.at(-1);
  const bodyBottom = last ? Math.max(last.row, ...last.continuationRows) : plan.headerRow;
  const height = bodyBottom - plan.headerRow + 1;
  const headerRows = [plan.headerRow, ...plan.repeatedHeaderRows].filter((r) => r <= bodyBottom);

  const actions: Action[] = plan.actions.map((action) => {
    const id = action.id;
    const status = preparedStatus(action.text.status);
    const due = dueHelperValue(action);
    const codes = ownerCodesValue(action, plan);
    return {
      ...action,
      text: { ...action.text, id, status },
      values: { ...action.values, id, status, dueDate: due, ownerCodes: codes },
    };
  });

  const column = (
    field: PreparedColumn['column'],
    where: { col: number; added: boolean },
    value: (a: Action) => CellValue,
    numberFormat: string,
    hidden: boolean,
  ): PreparedColumn => {
    // Cells the column owns (new columns, and the helpers, which only `prepare` writes) are cleared on rows that
    // are not actions, so a re-prepared sheet keeps no stale value; a column of the team is touched only on actions.
    const owned = where.added || field === 'dueDate' || field === 'ownerCodes';
    const values: CellValue[] = Array.from({ length: height }, () => (owned ? '' : null));
    if (owned) for (const r of headerRows) values[r - plan.headerRow] = ADDED_HEADERS[field];
    for (const a of actions) values[a.row - plan.headerRow] = value(a);
    return { column: field, col: where.col, added: where.added, values, numberFormat, hidden };
  };

  const columns: PreparedColumn[] = [
    column('status', statusPlace, (a) => a.text.status, TEXT_FORMAT, false),
    column('dueDate', duePlace, (a) => a.values.dueDate ?? '', DUE_DATE_FORMAT, true),
    column('ownerCodes', codesPlace, (a) => a.values.ownerCodes ?? '', TEXT_FORMAT, true),
  ];
  // An ID column of the team wins (SPEC 2): it is never rewritten.
  if (idPlace.added) columns.unshift(column('id', idPlace, (a) => a.id, TEXT_FORMAT, false));

  const prepared: Plan = {
    ...plan,
    columns: {
      ...plan.columns,
      id: idPlace.col,
      status: statusPlace.col,
      dueDate: duePlace.col,
      ownerCodes: codesPlace.col,
    },
    actions: actions.map((a) => ({ ...a, idFromColumn: true })),
  };
  const visible = Object.entries(prepared.columns)
    .filter(([field]) => field !== 'dueDate' && field !== 'ownerCodes')
    .map(([, col]) => col as number);
  const layout: TableLayout = {
    sheet: plan.sheet,
    headerRow: plan.headerRow,
    bodyTop: plan.headerRow + 1,
    bodyBottom,
    left: Math.min(...visible),
    right: Math.max(...visible),
    columns: { id: idPlace.col, status: statusPlace.col, dueDate: duePlace.col, ownerCodes: codesPlace.col },
  };
  return { plan: prepared, layout, columns, actionRuns: actionRuns(plan) };
}

/** Consecutive action rows grouped into [top, bottom] runs (0-based, inclusive). */
export function actionRuns(plan: Plan): [number, number][] {
  const rows = plan.actions.map((a) => a.row).sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const r of rows) {
    const run = runs.at(-1);
    if (run && r === run[1] + 1) run[1] = r;
    else if (!run || r > run[1]) runs.push([r, r]);
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------------------------
// Conditional formats

export interface HighlightRule {
  state: HighlightedState;
  /**
   * A custom conditional-format formula written for the top-left cell of the body range (office-js #5194: Excel
   * reads it relative to that cell): columns absolute, rows relative, e.g. `=AND(ISNUMBER($J5),$J5<TODAY())`.
   */
  formula: string;
  fill: string;
  font: string;
  /** 0 = evaluated first. */
  priority: number;
  stopIfTrue: boolean;
}

/**
 * The rules that colour each action row by its deadline state, as Excel evaluates them every day on its own
 * (TODAY() in the formula: the colours are right next month without the add-in). The order mirrors deadlineState:
 * done first, then recurring / invalid, then overdue, then due soon; each rule stops the ones below it.
 */
export function highlightRules(layout: TableLayout, soonDays = DEFAULT_SOON_DAYS): HighlightRule[] {
  const row = layout.bodyTop + 1;
  const due = `$${columnLetters(layout.columns.dueDate)}${row}`;
  const status = `$${columnLetters(layout.columns.status)}${row}`;
  const days = Math.max(0, Math.trunc(soonDays));
  const formulas: Record<HighlightedState, string> = {
    done: `=OR(${DONE_LABELS.map((label) => `TRIM(${status})="${label}"`).join(',')})`,
    recurring: `=${due}="${DUE_HELPER_RECURRING}"`,
    invalid: `=${due}="${DUE_HELPER_INVALID}"`,
    overdue: `=AND(ISNUMBER(${due}),${due}<TODAY())`,
    'due-soon': `=AND(ISNUMBER(${due}),${due}>=TODAY(),${due}<=TODAY()+${days})`,
  };
  const order: HighlightedState[] = ['done', 'recurring', 'invalid', 'overdue', 'due-soon'];
  return order.map((state, priority) => ({
    state,
    formula: formulas[state],
    ...STATE_PALETTE[state],
    priority,
    stopIfTrue: true,
  }));
}

/**
 * Whether a conditional-format formula is one of ours (it reads the due-date helper column), so that
 * re-highlighting replaces our rules and leaves the team's own rules alone.
 */
export function isHighlightFormula(formula: string, layout: TableLayout): boolean {
  const due = new RegExp(`\\$${columnLetters(layout.columns.dueDate)}\\$?\\d`);
  return due.test(formula) || formula.includes(`TRIM($${columnLetters(layout.columns.status)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// AutoFilter criteria, in the shape the add-in's filter calls and the xlsx writer both take as they are

export type FilterCriteria =
  | { filterOn: 'Custom'; criterion1: string; criterion2?: string; operator?: 'And' | 'Or' }
  | { filterOn: 'Values'; values: string[] };

/** `*`, `?` and `~` are wildcards in Excel criteria; `~` escapes them. */
export function escapeWildcards(text: string): string {
  return text.replace(/[~*?]/g, (c) => `~${c}`);
}

/**
 * The rows of one unit: the owner-codes helper holds `;DMRU;SIC;`, so `*;DI;*` matches DI exactly and never
 * DIRECȚIA or CSDDPP (the semicolons delimit the code).
 */
export function unitCriteria(code: string): FilterCriteria {
  return { filterOn: 'Custom', criterion1: `=*;${escapeWildcards(code)};*` };
}

/** The rows of one CAF criterion (or subcriterion) by id prefix: `1` gives `1.*`, `2.3` gives `2.3.*`. */
export function criterionCriteria(code: string): FilterCriteria {
  return { filterOn: 'Custom', criterion1: `=${escapeWildcards(code)}.*` };
}

const NOT_DONE: FilterCriteria = {
  filterOn: 'Custom',
  criterion1: `<>${DONE_LABELS[0]}`,
  criterion2: `<>${DONE_LABELS[1]}`,
  operator: 'And',
};

/**
 * The criteria for one deadline state on `today`, by column: the due-date helper and Stare. The split mirrors
 * deadlineState. Unlike the colours, an AutoFilter is evaluated when applied: the task pane re-applies the
 * remembered choice when it opens, so the rows shown follow the day.
 */
export function stateCriteria(
  state: DeadlineState,
  today: LocalDate,
  soonDays = DEFAULT_SOON_DAYS,
): { dueDate?: FilterCriteria; status: FilterCriteria } {
  const t = isoToExcelSerial(today);
  const soon = isoToExcelSerial(addDays(today, Math.max(0, Math.trunc(soonDays))));
  switch (state) {
    case 'done':
      return { status: { filterOn: 'Values', values: [...DONE_LABELS] } };
    case 'overdue':
      return { dueDate: { filterOn: 'Custom', criterion1: `<${t}` }, status: NOT_DONE };
    case 'due-soon':
      return {
        dueDate: { filterOn: 'Custom', criterion1: `>=${t}`, criterion2: `<=${soon}`, operator: 'And' },
        status: NOT_DONE,
      };
    case 'on-track':
      return { dueDate: { filterOn: 'Custom', criterion1: `>${soon}` }, status: NOT_DONE };
    case 'recurring':
      return { dueDate: { filterOn: 'Custom', criterion1: `=${DUE_HELPER_RECURRING}` }, status: NOT_DONE };
    case 'invalid':
      return { dueDate: { filterOn: 'Custom', criterion1: `=${DUE_HELPER_INVALID}` }, status: NOT_DONE };
  }
}

/** A filter choice of the task pane; absent or null parts do not filter. */
export interface FilterSelection {
  unit?: string | null;
  criterion?: string | null;
  state?: DeadlineState | null;
}

/**
 * The actions the AutoFilter built from `unitCriteria`, `criterionCriteria` and `stateCriteria` leaves visible,
 * computed from the plan: what the task pane reports ("12 of 72 actions") without asking Excel row by row.
 */
export function filterMatches(
  plan: Plan,
  choice: FilterSelection,
  today: LocalDate,
  soonDays = DEFAULT_SOON_DAYS,
): Action[] {
  return plan.actions.filter(
    (action) =>
      (!choice.unit || ownerCodes(action.text.owners, plan.units).includes(choice.unit)) &&
      (!choice.criterion || action.id.startsWith(`${choice.criterion}.`)) &&
      (!choice.state || deadlineState(action, today, soonDays) === choice.state),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Summary counts

export type StateCounts = Record<DeadlineState, number>;

export interface PlanSummary {
  today: LocalDate;
  total: number;
  byState: StateCounts;
  /** Unit code -> its actions by state (an action owned by two units counts for each). */
  byUnit: Record<string, { total: number; byState: StateCounts }>;
}

function emptyCounts(): StateCounts {
  return Object.fromEntries(DEADLINE_STATES.map((s) => [s.code, 0])) as StateCounts;
}

/** Actions by deadline state for the whole plan and per unit of the legend, on `today`. */
export function summarizePlan(plan: Plan, today: LocalDate, soonDays = DEFAULT_SOON_DAYS): PlanSummary {
  const byState = emptyCounts();
  const byUnit: PlanSummary['byUnit'] = {};
  for (const unit of plan.units) byUnit[unit.code] = { total: 0, byState: emptyCounts() };
  for (const action of plan.actions) {
    const state = deadlineState(action, today, soonDays);
    byState[state] += 1;
    for (const code of ownerCodes(action.text.owners, plan.units)) {
      const entry = (byUnit[code] ??= { total: 0, byState: emptyCounts() });
      entry.total += 1;
      entry.byState[state] += 1;
    }
  }
  return { today, total: plan.actions.length, byState, byUnit };
}
