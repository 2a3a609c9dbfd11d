// The only code that calls Office.js. Each exported function is one user action = one `Excel.run`: it loads what
// it needs once, writes whole 2-D arrays and ranges, and syncs at most three times whatever the row count (GUIDE.md,
// "count the round trips"). What to write is decided by pure code in plan/ (plan/highlight.ts, plan/grid.ts), so
// the service writes the same columns, rules and filters into .xlsx files.
import { parseAddress } from '../../plan/address';
import { CafError } from '../../plan/errors';
import { DEEP_HEADER_SEARCH_ROWS, formatColumnChoice, metaRows, readPlan } from '../../plan/grid';
import {
  actionRuns,
  highlightRules,
  isHighlightFormula,
  preparePlanColumns,
  tableLayout,
  TEXT_FORMAT,
  type TableLayout,
} from '../../plan/highlight';
import { multiFilterCriteria, multiFilterMatches, type MultiFilter } from '../../plan/filter';
import { filterArea } from '../../plan/protection';
import {
  META_SHEET,
  SCHEMA_VERSION,
  type CellValue,
  type LocalDate,
  type Plan,
  type PlanMeta,
  type ColumnChoice,
  type SheetGrid,
  type SheetState,
  type WorkbookGrid,
} from '../../plan/model';
import { DEFAULT_SOON_DAYS, type DeadlineState } from '../../plan/state';
import { STATUSES } from '../../plan/status';

/** Rows per getMergedAreasOrNullObject call: Excel gives up beyond 512 merged areas in one call. */
const MERGE_BAND_ROWS = 200;
const MAX_COLUMNS = 16_384;

const SHEET_STATE: Record<string, SheetState> = { Visible: 'visible', Hidden: 'hidden', VeryHidden: 'veryHidden' };

// ---------------------------------------------------------------------------------------------------------------
// Reading

/** A response we aim to stay under: Excel on the web refuses responses over 5 MB. */
export const READ_BUDGET_BYTES = 4 * 1024 * 1024;
/** Excel on the web reads at most 5,000,000 cells in one request; we stay well below. */
const READ_MAX_CELLS = 1_000_000;
/** Rows read first from each sheet: enough to find a header wherever plan/grid.ts looks for one. */
const HEAD_ROWS = DEEP_HEADER_SEARCH_ROWS;
/** A sheet this small is read whole whatever it holds (a legend sheet, notes). */
const SMALL_SHEET_CELLS = 20_000;
/** Columns of the head read: a plan table is far narrower; a sheet formatted to column XFD is not read that wide. */
const HEAD_COLUMNS = 256;

interface SheetRead {
  name: string;
  visibility: string;
  top: number;
  left: number;
  rows: number;
  cols: number;
  /** Rows read so far, by absolute row. */
  values: Map<number, unknown[]>;
  whole: boolean;
}

const jsonBytes = (v: unknown): number => new TextEncoder().encode(JSON.stringify(v)).length;

function isResponseTooLarge(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === 'ResponsePayloadSizeLimitExceeded' || code === 'RequestPayloadSizeLimitExceeded';
}

/**
 * The workbook as plan/grid.ts `readPlan` reads it, sized for Excel on the web: first every sheet's used-range
 * size and its first rows (enough to find a header); then, whole, only the sheets that matter (a sheet with a plan
 * header, `_caf_plan`, small sheets such as a legend), in chunks packed to stay under READ_BUDGET_BYTES per
 * response (a chunk refused as too large is read again in halves); the other sheets (a 40,000-row register next to
 * the plan) keep only their first rows. Merged areas are asked for the read rows only, band by band.
 */
export async function readWorkbook(): Promise<WorkbookGrid> {
  return Excel.run(async (context) => {
    const sheets = context.workbook.worksheets;
    sheets.load('items/name,items/visibility');
    await context.sync();

    const heads = sheets.items.map((ws) => {
      const used = ws.getUsedRangeOrNullObject(true);
      used.load('rowIndex,columnIndex,rowCount,columnCount');
      const head = ws.getRangeByIndexes(0, 0, HEAD_ROWS, HEAD_COLUMNS).getIntersectionOrNullObject(used);
      head.load('values,rowIndex,columnIndex');
      return { ws, used, head };
    });
    await context.sync();

    const reads: SheetRead[] = heads.map(({ ws, used, head }) => {
      const read: SheetRead = {
        name: ws.name,
        visibility: ws.visibility,
        top: used.isNullObject ? 0 : used.rowIndex,
        left: used.isNullObject ? 0 : used.columnIndex,
        rows: used.isNullObject ? 0 : used.rowCount,
        cols: used.isNullObject ? 0 : used.columnCount,
        values: new Map(),
        whole: false,
      };
      if (!head.isNullObject)
        (head.values as unknown[][]).forEach((row, i) => {
          // The head starts at the used range's left column too (intersection).
          read.values.set(head.rowIndex + i, row);
        });
      return read;
    });
    for (const read of reads) {
      const headGrid = gridOf(read);
      const cells = read.rows * read.cols;
      read.whole =
        read.name === META_SHEET ||
        cells <= SMALL_SHEET_CELLS ||
        read.top + read.rows <= HEAD_ROWS ||
        readPlan({ sheets: [headGrid] }).columns.action !== undefined;
    }

    // Chunks of the remaining rows of the sheets read whole, sized from the heaviest row of the sheet's head.
    interface Chunk {
      read: SheetRead;
      top: number;
      rows: number;
      bytes: number;
    }
    const queue: Chunk[] = [];
    for (const read of reads) {
      if (!read.whole || read.rows === 0) continue;
      const start = Math.max(read.top, HEAD_ROWS);
      const end = read.top + read.rows;
      if (start >= end) continue;
      let rowBytes = 8 + read.cols * 4;
      for (const row of read.values.values()) rowBytes = Math.max(rowBytes, jsonBytes(row));
      // Body rows hold more text than the title and header rows: a margin, and halving when Excel refuses.
      rowBytes *= 2;
      const perChunk = Math.max(
        1,
        Math.min(Math.floor(READ_BUDGET_BYTES / rowBytes), Math.floor(READ_MAX_CELLS / Math.max(1, read.cols))),
      );
      for (let top = start; top < end; top += perChunk)
        queue.push({ read, top, rows: Math.min(perChunk, end - top), bytes: Math.min(perChunk, end - top) * rowBytes });
    }
    // Merged areas travel with the first chunks (their answer is small): no round trip of their own.
    const merged = reads.map((read) => {
      if (read.rows === 0) return [];
      const bottom = read.whole ? read.top + read.rows : Math.min(read.top + read.rows, HEAD_ROWS);
      const ws = context.workbook.worksheets.getItem(read.name);
      const bands: Excel.RangeAreas[] = [];
      for (let top = 0; top < bottom; top += MERGE_BAND_ROWS) {
        const height = Math.min(MERGE_BAND_ROWS, bottom - top);
        const areas = ws.getRangeByIndexes(top, 0, height, MAX_COLUMNS).getMergedAreasOrNullObject();
        areas.load('areas/items/rowIndex,areas/items/columnIndex,areas/items/rowCount,areas/items/columnCount');
        bands.push(areas);
      }
      return bands;
    });
    let mergesAsked = merged.some((b) => b.length > 0);
    while (queue.length > 0) {
      // Pack chunks into one request while their estimate fits the budget.
      const batch: Chunk[] = [queue.shift()!];
      let bytes = batch[0]!.bytes;
      while (queue.length > 0 && bytes + queue[0]!.bytes <= READ_BUDGET_BYTES) {
        bytes += queue[0]!.bytes;
        batch.push(queue.shift()!);
      }
      const ranges = batch.map((c) => {
        const range = context.workbook.worksheets
          .getItem(c.read.name)
          .getRangeByIndexes(c.top, c.read.left, c.rows, c.read.cols);
        range.load('values');
        return range;
      });
      try {
        await context.sync();
      } catch (error) {
        if (!isResponseTooLarge(error) || batch.every((c) => c.rows === 1)) throw error;
        // Too much text for one response: read each chunk again in halves.
        for (const c of batch.reverse()) {
          if (c.rows === 1) {
            queue.unshift(c);
            continue;
          }
          const half = Math.ceil(c.rows / 2);
          queue.unshift(
            { ...c, rows: half, bytes: READ_BUDGET_BYTES },
            { ...c, top: c.top + half, rows: c.rows - half, bytes: READ_BUDGET_BYTES },
          );
        }
        continue;
      }
      mergesAsked = false;
      batch.forEach((c, i) =>
        (ranges[i]!.values as unknown[][]).forEach((row, j) => c.read.values.set(c.top + j, row)),
      );
    }

    if (mergesAsked) await context.sync();

    return {
      sheets: reads.map((read, i) => {
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
        return { ...gridOf(read), merges };
      }),
    };
  });
}

/** The rows read so far of one sheet as a grid (0-based absolute rows and columns, empty cells as null). */
function gridOf(read: SheetRead): SheetGrid {
  const rows: CellValue[][] = [];
  const last = Math.max(-1, ...read.values.keys());
  for (let r = 0; r <= last; r++) {
    const values = read.values.get(r);
    if (!values) {
      rows.push([]);
      continue;
    }
    const out: CellValue[] = Array.from({ length: read.left }, () => null);
    for (const v of values) out.push(v === '' || v === undefined ? null : (v as CellValue));
    rows.push(out);
  }
  return { name: read.name, state: SHEET_STATE[read.visibility] ?? 'visible', rows, merges: [] };
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
      // The number format goes first so `1.1.1` and `;DI;` are stored as text, never as a date or a number; only
      // on the cells written (null leaves a cell's format as the team set it).
      range.numberFormat = column.values.map((v, i) => [
        v === null
          ? null
          : i === 0 || plan.repeatedHeaderRows.includes(plan.headerRow + i)
            ? 'General'
            : column.numberFormat,
      ]) as string[][];
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
  /** Unit codes from the legend: their rows, multi-owner rows included. */
  units?: readonly string[];
  /** CAF criterion (`1`) or subcriterion (`1.2`) codes. */
  criteria?: readonly string[];
  states?: readonly DeadlineState[];
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

const multi = (choice: FilterChoice): MultiFilter => ({
  units: choice.units ?? [],
  criteria: choice.criteria ?? [],
  states: choice.states ?? [],
});

/**
 * Filters the plan with the sheet's own AutoFilter on the helper columns, so Excel's "Clear filter" button undoes
 * it (plan/filter.ts says how several units, criteria and states become criteria). The choice is remembered in the
 * document settings. On a protected sheet (a department copy) the AutoFilter the copy was issued with is re-used,
 * whatever range it covers: Excel refuses to create or move one there, and the pane never changes protection.
 * 2 syncs.
 */
export async function applyFilter(plan: Plan, choice: FilterChoice, options: FilterOptions): Promise<FilterOutcome> {
  const layout = requireLayout(plan);
  const soonDays = options.soonDays ?? DEFAULT_SOON_DAYS;
  const f = multi(choice);
  const criteria = multiFilterCriteria(plan, layout, f, options.today, soonDays);

  await Excel.run(async (context) => {
    const sheet = context.workbook.worksheets.getItem(layout.sheet);
    sheet.autoFilter.load('enabled');
    sheet.protection.load('protected');
    const existing = sheet.autoFilter.getRangeOrNullObject();
    existing.load('columnIndex,columnCount');
    await context.sync();

    let range: Excel.Range;
    let left: number;
    if (sheet.protection.protected) {
      if (existing.isNullObject || !sheet.autoFilter.enabled) throw filterProtected(layout.sheet);
      range = existing;
      left = existing.columnIndex;
      const outside = criteria.some(([col]) => col < left || col >= left + existing.columnCount);
      if (outside) throw filterProtected(layout.sheet);
      sheet.autoFilter.clearCriteria();
    } else {
      const area = filterArea(plan)!;
      range = sheet.getRangeByIndexes(area.top, area.left, area.bottom - area.top + 1, area.right - area.left + 1);
      left = area.left;
      if (sheet.autoFilter.enabled) sheet.autoFilter.remove();
      if (criteria.length === 0) sheet.autoFilter.apply(range);
    }
    for (const [column, c] of criteria) sheet.autoFilter.apply(range, column - left, c as Excel.FilterCriteria);
    await context.sync();
  });
  await saveSetting(FILTER_SETTING, { units: f.units, criteria: f.criteria, states: f.states });
  return { shown: multiFilterMatches(plan, f, options.today, soonDays).length, total: plan.actions.length };
}

function filterProtected(sheet: string): CafError {
  return new CafError('filter-protected', {
    ro: `Foaia „${sheet}” este protejată și nu are filtrul copiei pe coloanele planului: cereți coordonatorului o copie nouă. Registrul nu a fost modificat.`,
    en: `The sheet "${sheet}" is protected and lacks the copy's filter over the plan's columns: ask the coordinator for a new copy. The workbook was not changed.`,
  });
}

/** The filter choice last applied to this workbook, or null (a choice saved as single values is read too). */
export function lastFilter(): FilterChoice | null {
  const raw = Office.context.document.settings.get(FILTER_SETTING) as unknown;
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  const list = (many: unknown, one: unknown): string[] =>
    Array.isArray(many)
      ? many.filter((v): v is string => typeof v === 'string' && v !== '')
      : typeof one === 'string' && one
        ? [one]
        : [];
  return {
    units: list(r.units, r.unit),
    criteria: list(r.criteria, r.criterion),
    states: list(r.states, r.state) as DeadlineState[],
  };
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
 * Text as Excel must store it in a cell whose number format is not Text: Excel parses a string written to `values`
 * as if typed (`Dec 2024` a date, `(100)` a number, `50%`, `$100`, `#N/A`, `=...` a formula), so every non-empty
 * text gets the apostrophe prefix, which Excel keeps as the cell's quote prefix (it survives a re-save) and never
 * shows. A cell formatted as Text takes the text as it is.
 */
export function asExcelText(value: string): string {
  return value === '' ? '' : `'${value}`;
}

/** The columns the product owns (it adds them and formats them as text): written with the Text format first. */
export function ownedTextColumns(plan: Pick<Plan, 'columns'>): Set<number> {
  return new Set(
    [plan.columns.id, plan.columns.status, plan.columns.ownerCodes].filter((c): c is number => c !== undefined),
  );
}

export interface CellEdit {
  /** 0-based row and column on the plan sheet. */
  row: number;
  col: number;
  value: string;
}

/**
 * Writes text values into the plan sheet (merge results, resolved conflicts); cells of a row are written together.
 * Cells of `textColumns` (the columns the product owns) get the Text format first, in the same batch; the team's
 * cells keep their format and get the apostrophe prefix instead (none where the cell is already Text). 2 syncs.
 */
export async function writeRows(
  sheetName: string,
  edits: readonly CellEdit[],
  textColumns: ReadonlySet<number> = new Set(),
): Promise<void> {
  if (edits.length === 0) return;
  await Excel.run(async (context) => {
    const sheet = context.workbook.worksheets.getItem(sheetName);
    const sorted = [...edits].sort((a, b) => a.row - b.row || a.col - b.col);
    const runs: { edits: CellEdit[]; range: Excel.Range }[] = [];
    let i = 0;
    while (i < sorted.length) {
      // Adjacent cells of one row go in one write.
      let j = i + 1;
      while (j < sorted.length && sorted[j]!.row === sorted[i]!.row && sorted[j]!.col === sorted[j - 1]!.col + 1) j++;
      const run = sorted.slice(i, j);
      const range = sheet.getRangeByIndexes(run[0]!.row, run[0]!.col, 1, run.length);
      // A cell already formatted as Text takes the text as it is; an apostrophe there would stay visible.
      range.load('numberFormat');
      runs.push({ edits: run, range });
      i = j;
    }
    await context.sync();
    for (const { edits: run, range } of runs) {
      const formats = (range.numberFormat[0] ?? []) as unknown[];
      const text = run.map((e, k) => textColumns.has(e.col) || formats[k] === TEXT_FORMAT);
      if (run.some((e) => textColumns.has(e.col)))
        range.numberFormat = [run.map((e) => (textColumns.has(e.col) ? TEXT_FORMAT : null))] as string[][];
      range.values = [run.map((e, k) => (text[k] ? e.value : asExcelText(e.value)))];
    }
    await context.sync();
  });
}

export interface PlanEdit {
  /** 0-based rows the user changed since the last call, sorted; every row when `all` (a whole column changed). */
  rows: number[];
  all: boolean;
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
  let all = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = (): void => {
    timer = undefined;
    const rows = [...pending].sort((a, b) => a - b);
    const edit = { rows, all };
    pending = new Set();
    all = false;
    if (edit.rows.length || edit.all) handler(edit);
  };
  const registration = await Excel.run(async (context) => {
    const sheet = context.workbook.worksheets.getItem(plan.sheet);
    const result = sheet.onChanged.add(async (event: Excel.WorksheetChangedEventArgs) => {
      const rows = rowsOf(event.address);
      if (rows === 'all') all = true;
      else for (const row of rows) pending.add(row);
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

/** Rows beyond this in one event are reported as "every row" rather than listed. */
const MAX_LISTED_ROWS = 100_000;

/**
 * The 0-based rows an event address covers: `D5`, `D5:F9`, `Plan!D5:F9`, whole rows `5:7`, several areas
 * `D5,F7:F9`; a whole column (`A:A`, `A:C`) or a huge area is 'all'.
 */
export function rowsOf(address: string): number[] | 'all' {
  const local = address.slice(address.lastIndexOf('!') + 1);
  const rows = new Set<number>();
  for (const area of local.split(',')) {
    const [from = '', to = from] = area.trim().replace(/\$/g, '').split(':');
    if (/^[A-Za-z]{1,3}$/.test(from) && /^[A-Za-z]{1,3}$/.test(to)) return 'all';
    let a: number | null;
    let b: number | null;
    if (/^\d+$/.test(from) && /^\d+$/.test(to)) {
      a = Number(from) - 1;
      b = Number(to) - 1;
    } else {
      a = parseAddress(from)?.row ?? null;
      b = parseAddress(to)?.row ?? null;
    }
    if (a === null || b === null || a < 0 || b < 0) continue;
    if (Math.abs(b - a) + rows.size > MAX_LISTED_ROWS) return 'all';
    for (let r = Math.min(a, b); r <= Math.max(a, b); r++) rows.add(r);
  }
  return [...rows].sort((x, y) => x - y);
}
