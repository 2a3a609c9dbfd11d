// The only code that calls Office.js. Each exported function is one user action = one `Excel.run`: it loads what
// it needs once, writes whole 2-D arrays and ranges, and syncs at most three times whatever the row count (GUIDE.md,
// "count the round trips"). What to write is decided by pure code in plan/ (plan/highlight.ts, plan/grid.ts), so
// the service writes the same columns, rules and filters into .xlsx files.
import { parseAddress } from '../../plan/address';
import { CafError } from '../../plan/errors';
import { formatColumnChoice, metaRows } from '../../plan/grid';
import {
  actionRuns,
  criterionCriteria,
  highlightRules,
  isHighlightFormula,
  preparePlanColumns,
  stateCriteria,
  tableLayout,
  unitCriteria,
  filterMatches,
  type FilterCriteria,
  type TableLayout,
} from '../../plan/highlight';
import {
  DEFAULT_EDITABLE,
  META_SHEET,
  SCHEMA_VERSION,
  type CellValue,
  type Field,
  type LocalDate,
  type Plan,
  type PlanMeta,
  type ColumnChoice,
  type SheetState,
  type WorkbookGrid,
} from '../../plan/model';
import { actionsOfUnit } from '../../plan/owners';
import { DEFAULT_SOON_DAYS, type DeadlineState } from '../../plan/state';
import { STATUSES } from '../../plan/status';

/** Rows per getMergedAreasOrNullObject call: Excel gives up beyond 512 merged areas in one call. */
const MERGE_BAND_ROWS = 200;
const MAX_COLUMNS = 16_384;

const SHEET_STATE: Record<string, SheetState> = { Visible: 'visible', Hidden: 'hidden', VeryHidden: 'veryHidden' };

// ---------------------------------------------------------------------------------------------------------------
// Reading

/**
 * Every sheet's used range as a grid (0-based absolute rows and columns, empty cells as null) with its merged
 * areas, the very hidden `_caf_plan` sheet included: what plan/grid.ts `readPlan` reads. 2 syncs (sheets, then
 * values), 3 when a sheet has content (merged areas, asked band by band).
 */
export async function readWorkbook(): Promise<WorkbookGrid> {
  return Excel.run(async (context) => {
    const sheets = context.workbook.worksheets;
    sheets.load('items/name,items/visibility');
    await context.sync();

    const used = sheets.items.map((ws) => {
      const range = ws.getUsedRangeOrNullObject(true);
      range.load('values,rowIndex,columnIndex,rowCount');
      return range;
    });
    await context.sync();

    const merged = sheets.items.map((ws, i) => {
      const range = used[i]!;
      if (range.isNullObject) return [];
      const bands: Excel.RangeAreas[] = [];
      for (let top = 0; top < range.rowIndex + range.rowCount; top += MERGE_BAND_ROWS) {
        const height = Math.min(MERGE_BAND_ROWS, range.rowIndex + range.rowCount - top);
        const areas = ws.getRangeByIndexes(top, 0, height, MAX_COLUMNS).getMergedAreasOrNullObject();
        areas.load('areas/items/rowIndex,areas/items/columnIndex,areas/items/rowCount,areas/items/columnCount');
        bands.push(areas);
      }
      return bands;
    });
    await context.sync();

    return {
      sheets: sheets.items.map((ws, i) => {
        const range = used[i]!;
        const rows: CellValue[][] = [];
        if (!range.isNullObject) {
          for (let r = 0; r < range.rowIndex; r++) rows.push([]);
          for (const row of range.values as unknown[][]) {
            const out: CellValue[] = Array.from({ length: range.columnIndex }, () => null);
            for (const v of row) out.push(v === '' || v === undefined ? null : (v as CellValue));
            rows.push(out);
          }
        }
        const seen = new Set<string>();
        const merges = merged[i]!.flatMap((band) =>
          band.isNullObject
            ? []
            : band.areas.items.map((a) => ({
                top: a.rowIndex,
                left: a.columnIndex,
                bottom: a.rowIndex + a.rowCount - 1,
                right: a.columnIndex + a.columnCount - 1,
              })),
        ).filter((m) => {
          // A merged area across two bands is reported by both.
          const key = `${m.top},${m.left},${m.bottom},${m.right}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
        return { name: ws.name, state: SHEET_STATE[ws.visibility] ?? 'visible', rows, merges };
      }),
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Preparing

export interface PreparedPlan {
  /** The plan as it reads after preparation (ID, Stare and the helpers in place). */
  plan: Plan;
  layout: TableLayout;
  meta: PlanMeta;
}

/** A new plan's metadata: revision 1 of a fresh plan id. */
export function newPlanMeta(now: Date = new Date()): PlanMeta {
  return { planId: crypto.randomUUID(), revision: 1, issuedAt: now.toISOString(), schemaVersion: SCHEMA_VERSION };
}

/**
 * Prepares the plan sheet (Decisions in the brief): appends ID, Stare and the two hidden helper columns at the
 * right of the table (never inserting, so the team's merges, formats and formulas stay valid), fills Stare, puts the
 * Stare dropdown on the action rows, and writes the metadata into the very hidden `_caf_plan` sheet. Idempotent: a
 * prepared plan reuses its columns. `meta` defaults to the plan's own metadata, else a new plan id. 2 syncs.
 */
export async function preparePlan(plan: Plan, meta?: PlanMeta): Promise<PreparedPlan> {
  const base = meta ?? plan.meta ?? newPlanMeta();
  // The coordinator's column choice (issue 13) is kept in the metadata prepare rewrites.
  const planMeta = plan.columnChoice ? { ...base, columns: plan.columnChoice } : base;
  return Excel.run(async (context) => {
    const sheet = context.workbook.worksheets.getItem(plan.sheet);
    // The header row's last used cell: the added columns go right of it, even past columns the reader ignores.
    const header = sheet
      .getRangeByIndexes(plan.headerRow, 0, 1, MAX_COLUMNS)
      .getIntersectionOrNullObject(sheet.getUsedRange(true));
    header.load('values,columnIndex');
    const metaSheet = context.workbook.worksheets.getItemOrNullObject(META_SHEET);
    metaSheet.load('name');
    await context.sync();

    let firstFree = 0;
    if (!header.isNullObject) {
      const cells = (header.values[0] ?? []) as unknown[];
      let last = -1;
      cells.forEach((v, i) => {
        if (v !== '' && v !== null) last = i;
      });
      firstFree = header.columnIndex + last + 1;
    }
    const prep = preparePlanColumns(plan, firstFree);

    for (const column of prep.columns) {
      const range = sheet.getRangeByIndexes(plan.headerRow, column.col, column.values.length, 1);
      // The number format goes first so `1.1.1` and `;DI;` are stored as text, never as a date or a number.
      range.numberFormat = column.values.map((_, i) => [i === 0 ? 'General' : column.numberFormat]);
      range.values = column.values.map((v) => [v]);
      if (column.added) sheet.getRangeByIndexes(plan.headerRow, column.col, 1, 1).format.font.bold = true;
      if (column.hidden) range.columnHidden = true;
    }

    const statusCol = prep.layout.columns.status;
    const body = sheet.getRangeByIndexes(
      prep.layout.bodyTop,
      statusCol,
      prep.layout.bodyBottom - prep.layout.bodyTop + 1,
      1,
    );
    body.dataValidation.clear();
    const source = STATUSES.map((s) => s.ro).join(',');
    for (const [top, bottom] of actionRuns(plan)) {
      const run = sheet.getRangeByIndexes(top, statusCol, bottom - top + 1, 1);
      run.dataValidation.rule = { list: { inCellDropDown: true, source } };
      run.dataValidation.errorAlert = {
        showAlert: true,
        style: 'Stop',
        title: 'Stare',
        message: `Alegeți o stare din listă: ${STATUSES.map((s) => s.ro).join(', ')}. / Choose a status from the list.`,
      };
    }

    const metaWs = metaSheet.isNullObject ? context.workbook.worksheets.add(META_SHEET) : metaSheet;
    if (!metaSheet.isNullObject) metaWs.getRange('A:B').clear();
    const rows = metaRows(planMeta);
    const metaRange = metaWs.getRangeByIndexes(0, 0, rows.length, 2);
    metaRange.numberFormat = rows.map(() => ['@', '@']);
    metaRange.values = rows;
    metaWs.visibility = Excel.SheetVisibility.veryHidden;
    await context.sync();
    return { plan: { ...prep.plan, meta: planMeta }, layout: prep.layout, meta: planMeta };
  });
}

/**
 * Stores the coordinator's column mapping in `_caf_plan` (key `columns`), where every host's reader takes it from:
 * the pane, the CLI and the service read the same choice. Creates the very hidden sheet when the plan has none yet.
 * 3 syncs (the sheet, its used range, the write).
 */
export async function saveColumnChoice(choice: ColumnChoice): Promise<void> {
  await Excel.run(async (context) => {
    const metaSheet = context.workbook.worksheets.getItemOrNullObject(META_SHEET);
    metaSheet.load('name');
    await context.sync();
    const ws = metaSheet.isNullObject ? context.workbook.worksheets.add(META_SHEET) : metaSheet;
    const used = ws.getUsedRangeOrNullObject(true);
    used.load('values,rowIndex');
    await context.sync();
    const rows = used.isNullObject ? [] : (used.values as unknown[][]);
    const at = rows.findIndex((r) => r[0] === 'columns');
    const row = at >= 0 ? used.rowIndex + at : used.isNullObject ? 0 : used.rowIndex + rows.length;
    const cell = ws.getRangeByIndexes(row, 0, 1, 2);
    cell.numberFormat = [['@', '@']];
    cell.values = [['columns', formatColumnChoice(choice)]];
    ws.visibility = Excel.SheetVisibility.veryHidden;
    await context.sync();
  });
}

function requireLayout(plan: Plan): TableLayout {
  const layout = tableLayout(plan);
  if (!layout)
    throw new CafError('plan-not-prepared', {
      ro: 'Planul nu este pregătit: lipsesc coloanele ID, Stare și coloanele ajutătoare. Folosiți „Pregătește planul”.',
      en: 'The plan is not prepared: the ID, Stare and helper columns are missing. Use "Prepare the plan".',
    });
  return layout;
}

// ---------------------------------------------------------------------------------------------------------------
// Highlighting

/** A priority past the last rule: Office.js puts the rule last. */
const AFTER_EVERY_RULE = 1_000_000;

/**
 * Colours action rows by deadline state with conditional formats on the table body (never whole columns), whose
 * formulas read the due-date helper, Stare and TODAY(): Excel keeps the colours right by itself, next month too.
 * Our previous rules are replaced; the team's own rules stay, ahead of ours. 2 syncs.
 */
export async function applyHighlighting(plan: Plan, options: { soonDays?: number } = {}): Promise<void> {
  const layout = requireLayout(plan);
  const rules = highlightRules(layout, options.soonDays ?? DEFAULT_SOON_DAYS);
  await Excel.run(async (context) => {
    const sheet = context.workbook.worksheets.getItem(layout.sheet);
    const body = sheet.getRangeByIndexes(
      layout.bodyTop,
      layout.left,
      layout.bodyBottom - layout.bodyTop + 1,
      layout.right - layout.left + 1,
    );
    const existing = body.conditionalFormats;
    existing.load('items/type,items/customOrNullObject/rule/formula');
    await context.sync();

    for (const cf of existing.items) {
      if (
        cf.type === 'Custom' &&
        !cf.customOrNullObject.isNullObject &&
        isHighlightFormula(cf.customOrNullObject.rule.formula, layout)
      )
        cf.delete();
    }
    for (const rule of rules) {
      const cf = body.conditionalFormats.add(Excel.ConditionalFormatType.custom);
      cf.custom.rule.formula = rule.formula;
      cf.custom.format.fill.color = rule.fill;
      cf.custom.format.font.color = rule.font;
      cf.stopIfTrue = rule.stopIfTrue;
      // A new rule goes on top; ours go after the team's own, in their order, so a team rule keeps its precedence
      // and our stopIfTrue never hides it (as service/xlsx/prepare.ts writes them). Office.js clamps a priority
      // beyond the last to the last. Set last: the object must be fetched again after a priority change.
      cf.priority = AFTER_EVERY_RULE;
    }
    await context.sync();
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Filtering

export interface FilterChoice {
  /** A unit code from the legend: its rows, multi-owner rows included. */
  unit?: string | null;
  /** A CAF criterion (`1`) or subcriterion (`1.2`) code. */
  criterion?: string | null;
  state?: DeadlineState | null;
}

export interface FilterOptions {
  today: LocalDate;
  soonDays?: number;
}

export interface FilterOutcome {
  /** Action rows left visible. */
  shown: number;
  total: number;
}

/** Key of the last filter choice in the document settings (it travels with the workbook). */
export const FILTER_SETTING = 'caf-plan.filter';

/**
 * Filters the plan with the sheet's own AutoFilter on the helper columns, so Excel's "Clear filter" button undoes
 * it: the unit by `*;CODE;*` on the owner codes, the criterion by `1.*` on ID, the state on the due-date helper and
 * Stare. The choice is remembered in the document settings. 2 syncs.
 */
export async function applyFilter(plan: Plan, choice: FilterChoice, options: FilterOptions): Promise<FilterOutcome> {
  const layout = requireLayout(plan);
  const soonDays = options.soonDays ?? DEFAULT_SOON_DAYS;
  const left = layout.left;
  const criteria: [number, FilterCriteria][] = [];
  if (choice.unit) criteria.push([layout.columns.ownerCodes - left, unitCriteria(choice.unit)]);
  if (choice.criterion) criteria.push([layout.columns.id - left, criterionCriteria(choice.criterion)]);
  if (choice.state) {
    const byColumn = stateCriteria(choice.state, options.today, soonDays);
    if (byColumn.dueDate) criteria.push([layout.columns.dueDate - left, byColumn.dueDate]);
    criteria.push([layout.columns.status - left, byColumn.status]);
  }

  await Excel.run(async (context) => {
    const sheet = context.workbook.worksheets.getItem(layout.sheet);
    sheet.autoFilter.load('enabled');
    sheet.protection.load('protected');
    await context.sync();

    const range = filterRange(sheet, layout);
    // On a protected department copy the AutoFilter can only be re-used, not replaced.
    if (sheet.autoFilter.enabled) {
      if (sheet.protection.protected) sheet.autoFilter.clearCriteria();
      else sheet.autoFilter.remove();
    }
    if (criteria.length === 0) sheet.autoFilter.apply(range);
    for (const [column, c] of criteria) sheet.autoFilter.apply(range, column, c as Excel.FilterCriteria);
    await context.sync();
  });
  await saveSetting(FILTER_SETTING, {
    unit: choice.unit ?? null,
    criterion: choice.criterion ?? null,
    state: choice.state ?? null,
  });
  return { shown: filterMatches(plan, choice, options.today, soonDays).length, total: plan.actions.length };
}

/** The AutoFilter's range: the header row and the body, from the table's first column to the last helper. */
function filterRange(sheet: Excel.Worksheet, layout: TableLayout): Excel.Range {
  const right = Math.max(layout.right, ...Object.values(layout.columns));
  return sheet.getRangeByIndexes(
    layout.headerRow,
    layout.left,
    layout.bodyBottom - layout.headerRow + 1,
    right - layout.left + 1,
  );
}

/** The filter choice last applied to this workbook, or null. */
export function lastFilter(): FilterChoice | null {
  const raw = Office.context.document.settings.get(FILTER_SETTING) as unknown;
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  const text = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
  return { unit: text(r.unit), criterion: text(r.criterion), state: text(r.state) as DeadlineState | null };
}

/** Shows every row again (the AutoFilter's dropdowns stay) and forgets the remembered choice. 2 syncs. */
export async function clearFilter(sheetName: string): Promise<void> {
  await Excel.run(async (context) => {
    const sheet = context.workbook.worksheets.getItem(sheetName);
    sheet.autoFilter.load('enabled');
    await context.sync();
    if (sheet.autoFilter.enabled) sheet.autoFilter.clearCriteria();
    await context.sync();
  });
  Office.context.document.settings.remove(FILTER_SETTING);
  await saveSettings();
}

async function saveSetting(name: string, value: unknown): Promise<void> {
  Office.context.document.settings.set(name, value);
  await saveSettings();
}

function saveSettings(): Promise<void> {
  return new Promise((resolve, reject) => {
    Office.context.document.settings.saveAsync((result) => {
      if (result.status === Office.AsyncResultStatus.Failed) reject(result.error);
      else resolve();
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Navigation, writing back, protection, events

/** Activates `sheet` and selects `address` (a finding's cell). 1 sync. */
export async function selectCell(sheet: string, address: string): Promise<void> {
  await Excel.run(async (context) => {
    const ws = context.workbook.worksheets.getItem(sheet);
    ws.activate();
    ws.getRange(address).select();
    await context.sync();
  });
}

/**
 * Text as Excel must store it: a value Excel would read as a formula (`=`, `+`, `-`, `@`), a number, a boolean or
 * an apostrophe-prefixed text gets an apostrophe, so a submission's text is written back as text (SPEC 4).
 */
export function asExcelText(value: string): string {
  if (value === '') return '';
  return /^[=+\-@']/.test(value) || /^\s*[+-]?(\d|\.\d)/.test(value) || /^(true|false)$/i.test(value.trim())
    ? `'${value}`
    : value;
}

export interface CellEdit {
  /** 0-based row and column on the plan sheet. */
  row: number;
  col: number;
  value: string;
}

/** Writes text values into the plan sheet (merge results, resolved conflicts); cells of a row are written together. 1 sync. */
export async function writeRows(sheetName: string, edits: readonly CellEdit[]): Promise<void> {
  if (edits.length === 0) return;
  await Excel.run(async (context) => {
    const sheet = context.workbook.worksheets.getItem(sheetName);
    const sorted = [...edits].sort((a, b) => a.row - b.row || a.col - b.col);
    let i = 0;
    while (i < sorted.length) {
      // Adjacent cells of one row go in one write.
      let j = i + 1;
      while (j < sorted.length && sorted[j]!.row === sorted[i]!.row && sorted[j]!.col === sorted[j - 1]!.col + 1) j++;
      const run = sorted.slice(i, j);
      sheet.getRangeByIndexes(run[0]!.row, run[0]!.col, 1, run.length).values = [run.map((e) => asExcelText(e.value))];
      i = j;
    }
    await context.sync();
  });
}

/** Protection options of a department copy: filtering and resizing stay possible, structure does not. */
export const UNIT_PROTECTION = {
  allowAutoFilter: true,
  allowFormatColumns: true,
  allowFormatRows: true,
  allowFormatCells: false,
  allowInsertRows: false,
  allowDeleteRows: false,
  allowInsertColumns: false,
  allowDeleteColumns: false,
  allowSort: false,
  selectionMode: 'Normal',
} as const;

/**
 * Locks the plan sheet for a department copy (SPEC 5): every cell locked, then the editable columns of the unit's
 * own action rows unlocked, then sheet protection without a password. Locked cells plus protection work in every
 * Excel (allowEditRanges exists only on the web). 2 syncs.
 */
export async function protectForUnit(
  plan: Plan,
  unit: string,
  editable: readonly Field[] = DEFAULT_EDITABLE,
): Promise<{ rows: number }> {
  const columns = editable.map((f) => plan.columns[f]).filter((c): c is number => c !== undefined);
  const rows = actionsOfUnit(plan, unit).map((a) => a.row);
  const runs: [number, number][] = [];
  for (const r of rows.sort((a, b) => a - b)) {
    const last = runs.at(-1);
    if (last && r === last[1] + 1) last[1] = r;
    else runs.push([r, r]);
  }
  const layout = tableLayout(plan);
  await Excel.run(async (context) => {
    const sheet = context.workbook.worksheets.getItem(plan.sheet);
    sheet.protection.load('protected');
    sheet.autoFilter.load('enabled');
    await context.sync();
    if (sheet.protection.protected) sheet.protection.unprotect();
    // A protected sheet lets people use an AutoFilter but not create one: put it in place while we can.
    if (layout && !sheet.autoFilter.enabled) sheet.autoFilter.apply(filterRange(sheet, layout));
    sheet.getUsedRange(false).format.protection.locked = true;
    for (const col of columns)
      for (const [top, bottom] of runs)
        sheet.getRangeByIndexes(top, col, bottom - top + 1, 1).format.protection.locked = false;
    sheet.protection.protect(UNIT_PROTECTION as unknown as Excel.WorksheetProtectionOptions);
    await context.sync();
  });
  return { rows: rows.length };
}

export interface PlanEdit {
  /** 0-based rows the user changed since the last call, sorted. */
  rows: number[];
}

/**
 * Calls `handler` with the rows the user changed on the plan sheet, batched: edits within `debounceMs` of each
 * other (a paste, a fill-down, typing through a row) arrive as one call, so re-validation runs once. Returns a
 * function that stops listening. 1 sync.
 */
export async function onPlanEdited(
  plan: Plan,
  handler: (edit: PlanEdit) => void,
  options: { debounceMs?: number } = {},
): Promise<() => Promise<void>> {
  const debounceMs = options.debounceMs ?? 400;
  let pending = new Set<number>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = (): void => {
    timer = undefined;
    const rows = [...pending].sort((a, b) => a - b);
    pending = new Set();
    if (rows.length) handler({ rows });
  };
  const registration = await Excel.run(async (context) => {
    const sheet = context.workbook.worksheets.getItem(plan.sheet);
    const result = sheet.onChanged.add(async (event: Excel.WorksheetChangedEventArgs) => {
      for (const row of rowsOf(event.address)) pending.add(row);
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(flush, debounceMs);
    });
    await context.sync();
    return result;
  });
  return async () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    await Excel.run(registration.context, async (context) => {
      registration.remove();
      await context.sync();
    });
  };
}

/** The 0-based rows an event address covers (`D5`, `D5:F9`, `Plan!D5:F9`). */
export function rowsOf(address: string): number[] {
  const local = address.slice(address.lastIndexOf('!') + 1);
  const [from, to = from] = local.split(':');
  const a = parseAddress(from ?? '');
  const b = parseAddress(to ?? '');
  if (!a || !b) return [];
  const out: number[] = [];
  for (let r = Math.min(a.row, b.row); r <= Math.max(a.row, b.row); r++) out.push(r);
  return out;
}
