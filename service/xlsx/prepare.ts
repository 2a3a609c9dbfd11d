// `prepare` (SPEC 2, 6): the coordinator's workbook gains, at the right of the table, the columns caf-plan works
// with (ID, Stare and the two hidden helpers that keep Excel's own highlighting and filtering live), and the very
// hidden `_caf_plan` metadata sheet. Nothing is inserted, so the team's merges, conditional formats, validations
// and formulas keep pointing where they pointed; everything else in the file is written back as it was.
import { cellAddress, columnLetters } from '../../plan/address';
import { metaRows, planSheets } from '../../plan/grid';
import {
  highlightRules,
  isHighlightFormula,
  preparePlanColumns,
  type PreparedColumn,
  type Preparation,
  type TableLayout,
} from '../../plan/highlight';
import { DEFAULT_EDITABLE, META_SHEET, type Column, type Plan, type PlanMeta } from '../../plan/model';
import { DEFAULT_SOON_DAYS } from '../../plan/state';
import { STATUSES } from '../../plan/status';
import { XlsxPackage } from './package';
import { SheetPatch, keyValueSheetXml, type CellWrite } from './sheet-patch';
import { StylesPatch } from './styles-patch';

const HIDDEN: ReadonlySet<Column> = new Set(['dueDate', 'ownerCodes']);
const WIDTHS: Record<PreparedColumn['column'], number> = { id: 10, status: 18, dueDate: 14, ownerCodes: 20 };

/** Space-separated ranges (`G9:G11 G13`) covering the given rows of one column: a validation's sqref. */
export function rowsSqref(col: number, rows: readonly number[]): string {
  const sorted = [...new Set(rows)].sort((a, b) => a - b);
  const ranges: string[] = [];
  const letters = columnLetters(col);
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    ranges.push(
      sorted[i] === sorted[j]
        ? `${letters}${sorted[i]! + 1}`
        : `${letters}${sorted[i]! + 1}:${letters}${sorted[j]! + 1}`,
    );
    i = j + 1;
  }
  return ranges.join(' ');
}

/** The last row of the plan's table: its last action or continuation row. */
export function lastTableRow(plan: Plan): number {
  let last = plan.headerRow;
  for (const action of plan.actions) last = Math.max(last, action.row, ...action.continuationRows);
  return last;
}

/** The rightmost column holding a value in the table's rows (header to last action). */
function tableRightEdge(sheet: SheetPatch, plan: Plan): number {
  let right = 0;
  const last = lastTableRow(plan);
  for (const r of sheet.rowNumbers()) {
    if (r < plan.headerRow || r > last) continue;
    for (const cell of sheet.cellsOfRow(r)) if (cell.hasValue && cell.col > right) right = cell.col;
  }
  for (const col of Object.values(plan.columns)) if (col !== undefined && col > right) right = col;
  return right;
}

const ALL_COLUMNS: ReadonlySet<PreparedColumn['column']> = new Set(['id', 'status', 'dueDate', 'ownerCodes']);
const HELPER_COLUMNS: ReadonlySet<PreparedColumn['column']> = new Set(['dueDate', 'ownerCodes']);

/**
 * Writes the columns `prepare` adds (those in `which`), computed from each row as the plan holds it, at the right
 * of the table when the sheet has none: the values are the add-in's (plan/highlight.ts), so a plan prepared by
 * the CLI and one prepared in Excel agree. Cells that already hold the value are left as they are.
 */
function writePlanColumns(
  sheet: SheetPatch,
  styles: StylesPatch,
  plan: Plan,
  which: ReadonlySet<PreparedColumn['column']>,
): Preparation {
  const lastOriginal = tableRightEdge(sheet, plan);
  const prep = preparePlanColumns(plan, lastOriginal + 1);
  const headerRows = new Set([plan.headerRow, ...plan.repeatedHeaderRows]);
  // Cells we add look like the table's: the header's format from its last cell, the body's from each row's last.
  const headerStyle = sheet.styleAt(plan.headerRow, lastOriginal);
  for (const column of prep.columns) {
    if (!which.has(column.column)) continue;
    if (column.added) sheet.setColumn(column.col, { width: WIDTHS[column.column], hidden: column.hidden });
    else if (column.hidden) sheet.setColumn(column.col, { hidden: true });
    const owned = column.added || HIDDEN.has(column.column);
    column.values.forEach((value, i) => {
      if (value === null) return;
      const r = plan.headerRow + i;
      if (value === '' && !sheet.hasValue(r, column.col)) return;
      let style: number | undefined;
      if (headerRows.has(r)) style = column.added ? headerStyle : undefined;
      else if (owned && value !== '') {
        const base = column.added ? sheet.styleAt(r, lastOriginal) : sheet.styleAt(r, column.col);
        style = styles.derive(base, { numFmt: column.numberFormat });
      }
      const write: CellWrite =
        typeof value === 'number'
          ? { kind: 'date', serial: value }
          : value === ''
            ? { kind: 'clear' }
            : { kind: 'string', text: String(value) };
      // A cell that already holds the value is left as it is (a re-prepared sheet comes back byte for byte).
      if (sheet.holds(r, column.col, write) && (style === undefined || style === sheet.styleAt(r, column.col))) return;
      sheet.setCell(r, column.col, write, style);
    });
  }
  return prep;
}

/**
 * The hidden helper columns (`Termen calculat`, `Coduri responsabili`) are derived data: every write recomputes
 * them from the rows as `plan` holds them (after a merge's or a resolution's changes), adding them when the
 * sheet has none. Returns the plan with the helpers' columns and values.
 */
export function refreshHelperColumns(sheet: SheetPatch, styles: StylesPatch, plan: Plan): Plan {
  const prep = writePlanColumns(sheet, styles, plan, HELPER_COLUMNS);
  const helpers = new Map(prep.plan.actions.map((a) => [a.row, a.values]));
  return {
    ...plan,
    columns: { ...plan.columns, dueDate: prep.layout.columns.dueDate, ownerCodes: prep.layout.columns.ownerCodes },
    actions: plan.actions.map((a) => {
      const values = helpers.get(a.row);
      return { ...a, values: { ...a.values, dueDate: values?.dueDate ?? '', ownerCodes: values?.ownerCodes ?? '' } };
    }),
  };
}

/** The validation list of statuses, as Excel stores it in formula1. */
export const STATUS_LIST = STATUSES.map((s) => s.ro);
const isStatusValidation = (xml: string): boolean => SheetPatch.validationFormula(xml) === `"${STATUS_LIST.join(',')}"`;

/**
 * The add-in's deadline colours as conditional formats on the table body (never whole columns), so Excel keeps
 * them right every day without the add-in. Ours from an earlier run are replaced; they go after the team's own
 * rules, so a team rule keeps its precedence and our stopIfTrue never hides it.
 */
function highlight(sheet: SheetPatch, styles: StylesPatch, layout: TableLayout, soonDays: number): void {
  sheet.removeConditionalFormats((formula) => isHighlightFormula(formula, layout));
  const sqref = `${cellAddress(layout.bodyTop, layout.left)}:${cellAddress(layout.bodyBottom, layout.right)}`;
  const argb = (hex: string): string => `FF${hex.replace('#', '').toUpperCase()}`;
  for (const rule of highlightRules(layout, soonDays)) {
    const dxf = styles.addDxf(argb(rule.fill), argb(rule.font));
    sheet.addConditionalFormat(sqref, rule.formula.replace(/^=/, ''), dxf, rule.stopIfTrue);
  }
}

/** Writes the `_caf_plan` sheet (creating it very hidden, or rewriting it in place). */
export function writeMeta(pkg: XlsxPackage, meta: PlanMeta): void {
  const xml = keyValueSheetXml(metaRows({ ...meta, editable: meta.editable ?? [...DEFAULT_EDITABLE] }));
  const existing = pkg.sheets().find((s) => s.name === META_SHEET);
  if (existing) {
    pkg.setText(existing.part, xml);
    if (existing.state !== 'veryHidden') pkg.setSheetState(META_SHEET, 'veryHidden');
  } else {
    pkg.addSheet(META_SHEET, 'veryHidden', xml);
  }
}

export interface PrepareOptions {
  /** Days before a due date from which an action counts as due soon (SPEC 3). */
  soonDays?: number;
}

export async function prepareWorkbook(
  bytes: Uint8Array,
  plan: Plan,
  meta: PlanMeta,
  options: PrepareOptions = {},
): Promise<Uint8Array> {
  // A plan over several sheets (issue 13): each sheet is prepared in turn, as a plan of its own.
  if (plan.moreSheets?.length) {
    let out = bytes;
    for (const part of planSheets(plan)) out = await prepareWorkbook(out, part, meta, options);
    return out;
  }
  const pkg = await XlsxPackage.open(bytes);
  const styles = StylesPatch.open(pkg);
  const sheet = SheetPatch.open(pkg, styles, pkg.sheet(plan.sheet));

  const prep = writePlanColumns(sheet, styles, plan, ALL_COLUMNS);
  if (plan.actions.length > 0) {
    sheet.addListValidation(
      rowsSqref(
        prep.layout.columns.status,
        plan.actions.map((a) => a.row),
      ),
      STATUS_LIST,
      {
        error: {
          title: 'Stare invalidă / Invalid status',
          text: `Alegeți o stare din listă / Choose a status from the list: ${STATUS_LIST.join(', ')}.`,
        },
        replace: isStatusValidation,
      },
    );
  }
  if (plan.actions.length > 0) highlight(sheet, styles, prep.layout, options.soonDays ?? DEFAULT_SOON_DAYS);
  writeMeta(pkg, meta);
  sheet.commit();
  styles.commit();
  return pkg.save();
}
