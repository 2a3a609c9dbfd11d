// `prepare` (SPEC 2, 6): the coordinator's workbook gains, at the right of the table, the columns caf-plan works
// with (ID, Stare and the two hidden helpers that keep Excel's own highlighting and filtering live), and the very
// hidden `_caf_plan` metadata sheet. Nothing is inserted, so the team's merges, conditional formats, validations
// and formulas keep pointing where they pointed; everything else in the file is written back as it was.
import { columnLetters } from '../../plan/address';
import { isoToExcelSerial } from '../../plan/date';
import { parseDeadline } from '../../plan/deadline';
import { metaRows } from '../../plan/grid';
import {
  ADDED_HEADERS,
  DEFAULT_EDITABLE,
  DUE_HELPER_INVALID,
  DUE_HELPER_RECURRING,
  META_SHEET,
  type Column,
  type Plan,
  type PlanMeta,
} from '../../plan/model';
import { ownerCodes, ownerCodesCell } from '../../plan/owners';
import { STATUSES, statusLabel } from '../../plan/status';
import { XlsxPackage } from './package';
import { SheetPatch, keyValueSheetXml, type CellWrite } from './sheet-patch';
import { StylesPatch } from './styles-patch';

const ADDED_ORDER = ['id', 'status', 'dueDate', 'ownerCodes'] as const satisfies readonly Column[];
const HIDDEN: ReadonlySet<Column> = new Set(['dueDate', 'ownerCodes']);
const WIDTHS: Record<(typeof ADDED_ORDER)[number], number> = { id: 10, status: 18, dueDate: 14, ownerCodes: 20 };

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

/** The due-date helper's value: the due date as a date serial, or the text saying why there is none. */
export function dueHelperValue(plan: Plan, action: Plan['actions'][number]): CellWrite {
  const deadline = parseDeadline(action.values.deadline ?? action.text.deadline);
  switch (deadline.kind) {
    case 'recurring':
    case 'legal':
      return { kind: 'string', text: DUE_HELPER_RECURRING };
    case 'empty':
    case 'invalid':
      return { kind: 'string', text: DUE_HELPER_INVALID };
    default:
      return { kind: 'date', serial: isoToExcelSerial(deadline.due) };
  }
}

/** The validation list of statuses, as Excel stores it in formula1. */
export const STATUS_LIST = STATUSES.map((s) => s.ro);
const isStatusValidation = (xml: string): boolean => SheetPatch.validationFormula(xml) === `"${STATUS_LIST.join(',')}"`;

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

export async function prepareWorkbook(bytes: Uint8Array, plan: Plan, meta: PlanMeta): Promise<Uint8Array> {
  const pkg = await XlsxPackage.open(bytes);
  const styles = StylesPatch.open(pkg);
  const sheet = SheetPatch.open(pkg, styles, pkg.sheet(plan.sheet));

  const lastOriginal = tableRightEdge(sheet, plan);
  const columns: Partial<Record<Column, number>> = { ...plan.columns };
  let next = lastOriginal + 1;
  const headerRows = [plan.headerRow, ...plan.repeatedHeaderRows];
  // Cells we add look like the table's: the header's format from its last cell, the body's from each row's last.
  const headerStyle = sheet.styleAt(plan.headerRow, lastOriginal);
  for (const column of ADDED_ORDER) {
    if (columns[column] !== undefined) continue;
    const col = next++;
    columns[column] = col;
    for (const r of headerRows) sheet.setString(r, col, ADDED_HEADERS[column], headerStyle);
    sheet.setColumn(col, { width: WIDTHS[column], hidden: HIDDEN.has(column) });
  }
  for (const column of HIDDEN) sheet.setColumn(columns[column]!, { hidden: true });

  const idCol = columns.id!;
  const statusCol = columns.status!;
  const dueCol = columns.dueDate!;
  const ownersCol = columns.ownerCodes!;
  const added = new Set(ADDED_ORDER.filter((c) => plan.columns[c] === undefined).map((c) => columns[c]!));
  const notStarted = statusLabel('not-started');
  for (const action of plan.actions) {
    const bodyStyle = sheet.styleAt(action.row, lastOriginal);
    const style = (col: number): number | undefined => (added.has(col) ? bodyStyle : undefined);
    // An id already in the sheet is the key departments' copies are matched by: never rewritten.
    if (!action.idFromColumn || String(action.values.id ?? '').trim() === '')
      sheet.setString(action.row, idCol, action.id, style(idCol));
    if (action.text.status.trim() === '') sheet.setString(action.row, statusCol, notStarted, style(statusCol));
    const due = dueHelperValue(plan, action);
    const dueStyle = style(dueCol);
    sheet.setCell(
      action.row,
      dueCol,
      due,
      due.kind === 'date'
        ? styles.derive(dueStyle ?? sheet.styleAt(action.row, dueCol), { numFmt: 'dd.mm.yyyy' })
        : dueStyle,
    );
    const codes = ownerCodesCell(ownerCodes(action.text.owners, plan.units));
    sheet.setString(action.row, ownersCol, codes, style(ownersCol));
  }
  if (plan.actions.length > 0) {
    sheet.addListValidation(
      rowsSqref(
        statusCol,
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
  writeMeta(pkg, meta);
  sheet.commit();
  styles.commit();
  return pkg.save();
}
