// What a coordinator's Sync writes into the open workbook, computed without Excel: a three-way comparison of the
// revision the workbook was last synced to (base, from its `_caf_plan` sheet), the service's latest revision
// (target) and the workbook as it is now (local), cell by cell, rows matched by id. Only cells the service changed
// since base are touched; a cell the coordinator also edited in the workbook keeps the coordinator's value and is
// reported. Applying the same patch twice writes nothing the second time (cells already at the target are skipped),
// so a sync cut short by Excel can simply be run again.
import { cellAddress } from '../../plan/address';
import { FIELDS, META_SHEET, type CellValue, type Field, type Plan, type WorkbookGrid } from '../../plan/model';
import { parseStatus } from '../../plan/status';
import { cellText, normalizeValue } from '../../plan/text';
import type { ConflictRecord, PlanJson } from './schemas';

/** One cell to write; `expect` is what the cell held when the workbook was read (checked again before writing). */
export interface CellWrite {
  row: number;
  col: number;
  value: string;
  expect: CellValue;
  rowId: string;
  column: Field;
}

export interface KeptEdit {
  rowId: string;
  column: Field;
  /** The workbook's value, kept. */
  local: string;
  /** The service's value, not written. */
  incoming: string;
}

export interface ConflictMark {
  conflictId: number;
  row: number;
  col: number;
  address: string;
  /** The text of the cell's note: the kind and each side's value and unit. */
  note: string;
  /** The mark's row of the `Conflicte` sheet (the service's columns: ID, Coloana, base, current, proposals, kind). */
  listRow: string[];
}

export interface SyncPatch {
  sheet: string;
  fromRevision: number;
  toRevision: number;
  writes: CellWrite[];
  /** Cells changed by the service that the coordinator also changed in the workbook: the workbook's value stays. */
  kept: KeptEdit[];
  /** Changes for rows or columns the workbook does not have. */
  missing: { rowId: string; column: Field }[];
  /** Where `_caf_plan`'s revision value goes (0-based), and what it holds now. */
  revisionCell: { sheet: string; row: number; col: number; expect: CellValue } | null;
  /** Every open conflict the workbook has a cell for. */
  marks: ConflictMark[];
  /**
   * Where the rows of a `Conflicte` sheet point (its ID and Coloana cells, as the service writes them): action id to
   * sheet row, folded header text to sheet column. How a mark the service made is found again to be removed.
   */
  locate: { rows: Record<string, number>; columns: Record<string, number> };
}

/** Two values are one when the merge would say so (SPEC 5), and two spellings of one status are one status. */
export function sameValue(column: Field, a: string, b: string): boolean {
  const x = normalizeValue(a);
  const y = normalizeValue(b);
  if (x === y) return true;
  if (column !== 'status') return false;
  const sa = parseStatus(x);
  const sb = parseStatus(y);
  return sa.kind === 'ok' && sb.kind === 'ok' && sa.code === sb.code;
}

function gridValue(grid: WorkbookGrid, sheet: string, row: number, col: number): CellValue {
  return grid.sheets.find((s) => s.name === sheet)?.rows[row]?.[col] ?? null;
}

/** The `_caf_plan` cell that holds the revision: column B of the `revision` row (a new row when there is none). */
function revisionCell(grid: WorkbookGrid): SyncPatch['revisionCell'] {
  const meta = grid.sheets.find((s) => s.name === META_SHEET);
  if (!meta) return null;
  const at = meta.rows.findIndex((r) => cellText(r?.[0] ?? null).trim() === 'revision');
  const row = at >= 0 ? at : meta.rows.length;
  return { sheet: META_SHEET, row, col: 1, expect: at >= 0 ? (meta.rows[at]?.[1] ?? null) : null };
}

const KIND_LABEL: Record<ConflictRecord['kind'], string> = {
  'not-owner': 'unitatea nu este responsabilă / unit is not an owner',
  'locked-column': 'coloană needitabilă / locked column',
  'invalid-value': 'valoare invalidă / invalid value',
  'coordinator-edit': 'modificată și de coordonator / also edited by the coordinator',
  'concurrent-edit': 'valori diferite de la unități / units disagree',
  'row-added': 'rând adăugat / row added',
  'row-deleted': 'rând șters / row deleted',
  'unknown-row': 'rând fără ID / row without id',
};

const NOTE_VALUE_CHARS = 200;
const clip = (text: string): string =>
  text.length > NOTE_VALUE_CHARS ? `${text.slice(0, NOTE_VALUE_CHARS - 1)}…` : text;

/** The comment on a conflicted cell; it starts with CONFLICT_NOTE_PREFIX so the add-in knows its own. */
export const CONFLICT_NOTE_PREFIX = 'Conflict CAF';

export function conflictNote(conflict: ConflictRecord): string {
  const lines = [
    `${CONFLICT_NOTE_PREFIX} #${conflict.id}: ${KIND_LABEL[conflict.kind]}`,
    `Plan: „${clip(conflict.current ?? '')}”`,
    ...conflict.values.map((v) => `${v.unit}: „${clip(v.value)}”`),
    'Alegeți valoarea în panoul Plan CAF. / Choose the value in the CAF plan pane.',
  ];
  return lines.join('\n');
}

/** The cells of the open conflicts, where the workbook has the row and the column. */
export function conflictMarks(
  local: Plan,
  conflicts: readonly ConflictRecord[],
  headers: Partial<Record<Field, string>> = {},
): ConflictMark[] {
  const byId = new Map(local.actions.map((a) => [a.id, a]));
  const marks: ConflictMark[] = [];
  for (const c of conflicts) {
    if (c.status !== 'open' || c.rowId === null || c.column === null) continue;
    const action = byId.get(c.rowId);
    const col = local.columns[c.column];
    if (!action || col === undefined) continue;
    marks.push({
      conflictId: c.id,
      row: action.row,
      col,
      address: cellAddress(action.row, col),
      note: conflictNote(c),
      listRow: [
        c.rowId,
        headers[c.column] || c.column,
        '',
        c.current ?? '',
        c.values.map((v) => `${v.unit}: ${clip(v.value)}`).join('\n'),
        KIND_LABEL[c.kind],
      ],
    });
  }
  return marks;
}

export interface SyncInput {
  /** The workbook as read now, and the plan read from it. */
  grid: WorkbookGrid;
  local: Plan;
  /** The revision the workbook holds (its `_caf_plan` revision) as the service has it. */
  base: PlanJson;
  baseRevision: number;
  /** The service's latest revision. */
  target: PlanJson;
  targetRevision: number;
  openConflicts: readonly ConflictRecord[];
}

/** A header as the `Conflicte` sheet's Coloana names it, compared without case and spacing differences. */
export function foldHeader(text: string): string {
  return normalizeValue(text).toLocaleLowerCase('ro');
}

export function syncPatch(input: SyncInput): SyncPatch {
  const { grid, local, base, target } = input;
  const headers: Partial<Record<Field, string>> = {};
  for (const field of FIELDS) {
    const col = local.columns[field];
    if (col !== undefined)
      headers[field] = cellText(gridValue(grid, local.sheet, local.headerRow, col)).trim() || field;
  }
  const localById = new Map(local.actions.map((a) => [a.id, a]));
  const baseById = new Map(base.actions.map((a) => [a.id, a]));
  const writes: CellWrite[] = [];
  const kept: KeptEdit[] = [];
  const missing: SyncPatch['missing'] = [];

  for (const t of target.actions) {
    const b = baseById.get(t.id);
    for (const column of FIELDS) {
      if (column === 'id') continue;
      const incoming = t.text[column] ?? '';
      // A row the base does not have cannot be told apart from a local edit: the workbook's value is kept.
      const before = b ? (b.text[column] ?? '') : null;
      if (before !== null && sameValue(column, incoming, before)) continue;
      const l = localById.get(t.id);
      const col = local.columns[column];
      if (!l || col === undefined) {
        missing.push({ rowId: t.id, column });
        continue;
      }
      const now = l.text[column] ?? '';
      if (sameValue(column, now, incoming)) continue;
      if (before === null || !sameValue(column, now, before)) {
        kept.push({ rowId: t.id, column, local: now, incoming });
        continue;
      }
      writes.push({
        row: l.row,
        col,
        value: incoming,
        expect: gridValue(grid, local.sheet, l.row, col),
        rowId: t.id,
        column,
      });
      // The value now lives in the action's own row: continuation rows of that column are emptied, so it does not
      // read twice (as the service's merged workbook does).
      for (const r of l.continuationRows) {
        const expect = gridValue(grid, local.sheet, r, col);
        if (cellText(expect).trim() !== '') writes.push({ row: r, col, value: '', expect, rowId: t.id, column });
      }
    }
  }

  return {
    sheet: local.sheet,
    fromRevision: input.baseRevision,
    toRevision: input.targetRevision,
    writes,
    kept,
    missing,
    revisionCell: input.baseRevision === input.targetRevision ? null : revisionCell(grid),
    marks: conflictMarks(local, input.openConflicts, headers),
    locate: {
      rows: Object.fromEntries(local.actions.map((a) => [a.id, a.row])),
      columns: Object.fromEntries(
        Object.entries(headers).map(([field, text]) => [foldHeader(text), local.columns[field as Field]!]),
      ),
    },
  };
}
