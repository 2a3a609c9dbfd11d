// The Office.js side of the sync with the service (the coordinator's Sync and conflict resolution): one Excel.run
// writes a patch computed by addin/service/diff.ts, at most three syncs whatever its size. Everything it needs
// was fetched and checked before it is called, so the workbook never waits on the network mid-write.
//
// One conflict mark, the same as the service's merged workbook (service/xlsx/merged.ts): the conflict fill on the
// cell, a row of the `Conflicte` sheet, and a note where the host has notes (ExcelApi 1.18, asked with
// isSetSupported; Excel 2021 has none). Marks are found again in the workbook itself (the `Conflicte` rows, our
// notes, and the conditional-format marks of earlier versions of the add-in), so a resolved conflict loses its
// mark whoever made it, on any computer. Running a Sync again after a failure gives the same workbook.
import { parseAddress } from '../../plan/address';
import { CafError } from '../../plan/errors';
import type { CellValue } from '../../plan/model';
import { cellText } from '../../plan/text';
import { CONFLICT_NOTE_PREFIX, foldHeader, type CellWrite, type SyncPatch } from '../service/diff';
import { asExcelText } from './index';

/** The service's conflict fill (service/xlsx/merged.ts CONFLICT_FILL), so both hosts mark conflicts alike. */
export const CONFLICT_MARK_FILL = '#F8CBAD';
/** The rule earlier versions of the add-in marked conflicts with: still removed when found. */
export const CONFLICT_MARK_FORMULA = '=LEN("caf-plan-conflict")>0';
/** The sheet that lists the conflicts, as the service names it (service/xlsx/merged.ts CONFLICTS_SHEET). */
export const CONFLICTS_SHEET = 'Conflicte';
const CONFLICT_HEADERS = [
  'ID',
  'Coloana',
  'Valoare de bază',
  'Valoare curentă (coordonator)',
  'Valori propuse (unitate: valoare)',
  'Tip',
];
/** Notes the service writes start so (service/xlsx/merged.ts), ours with CONFLICT_NOTE_PREFIX. */
const SERVICE_NOTE_PREFIX = 'Conflict: ';
const isOurNote = (text: string): boolean =>
  text.startsWith(CONFLICT_NOTE_PREFIX) || text.startsWith(SERVICE_NOTE_PREFIX);

export interface ApplyOutcome {
  /** Cells written (continuation cells emptied included). */
  written: number;
  /** Cells the user changed between reading the workbook and this write: left as the user typed them. */
  changedMeanwhile: CellWrite[];
  marked: number;
  unmarked: number;
  /** The revision `_caf_plan` now holds, or null when it was not touched. */
  revision: number | null;
}

const sameCell = (a: CellValue | undefined, b: CellValue | undefined): boolean =>
  cellText(a === '' ? null : (a ?? null)) === cellText(b === '' ? null : (b ?? null));

/** `Plan!F12`, `'Plan CAF'!F12` -> the sheet and the cell's 0-based row and column. */
function location(address: string): { sheet: string; row: number; col: number } | null {
  const bang = address.lastIndexOf('!');
  if (bang < 0) return null;
  let sheet = address.slice(0, bang);
  if (sheet.startsWith("'")) sheet = sheet.slice(1, -1).replace(/''/g, "'");
  const at = parseAddress(address.slice(bang + 1).split(':')[0] ?? '');
  return at ? { sheet, ...at } : null;
}

function quoteSheet(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) ? name : `'${name.replace(/'/g, "''")}'`;
}

/** Columns of writes as runs of adjacent rows: one range per run, one values array each. */
function verticalRuns(writes: readonly CellWrite[]): CellWrite[][] {
  const sorted = [...writes].sort((a, b) => a.col - b.col || a.row - b.row);
  const runs: CellWrite[][] = [];
  for (const w of sorted) {
    const run = runs.at(-1);
    const last = run?.at(-1);
    if (run && last && last.col === w.col && last.row + 1 === w.row) run.push(w);
    else runs.push([w]);
  }
  return runs;
}

/**
 * Applies a sync patch in one Excel.run: sync 1 reads the cells about to change (the user may have typed since the
 * workbook was read), the protection, the `Conflicte` sheet, our notes and rules; sync 2 locates the marks found and
 * reads their fill (only when there are some); the last sync writes the values (the Stare column, which the
 * product owns, as Text first; the team's columns keep their format and get the apostrophe prefix), the marks, and
 * `_caf_plan`'s revision last, so a write Excel refuses leaves the old revision and the next Sync redoes the patch.
 */
export async function applySyncPatch(patch: SyncPatch): Promise<ApplyOutcome> {
  const notesSupported = Office.context.requirements.isSetSupported('ExcelApi', '1.18');
  return Excel.run(async (context) => {
    const sheet = context.workbook.worksheets.getItem(patch.sheet);
    sheet.protection.load('protected');

    // Sync 1: the cells to write, column by column (one range per column, the rows between included).
    const columns = new Map<number, { top: number; range: Excel.Range }>();
    for (const col of new Set(patch.writes.map((w) => w.col))) {
      const rows = patch.writes.filter((w) => w.col === col).map((w) => w.row);
      const top = Math.min(...rows);
      const range = sheet.getRangeByIndexes(top, col, Math.max(...rows) - top + 1, 1);
      range.load('values,numberFormat');
      columns.set(col, { top, range });
    }
    const revisionRange = patch.revisionCell
      ? context.workbook.worksheets
          .getItem(patch.revisionCell.sheet)
          .getRangeByIndexes(patch.revisionCell.row, patch.revisionCell.col, 1, 1)
      : null;
    revisionRange?.load('values');
    const formats = sheet.getRange().conditionalFormats;
    formats.load('items/type,items/customOrNullObject/rule/formula');
    const notes = notesSupported ? context.workbook.notes : null;
    notes?.load('items/content');
    const listSheet = context.workbook.worksheets.getItemOrNullObject(CONFLICTS_SHEET);
    listSheet.load('name');
    const listed = listSheet.getUsedRangeOrNullObject(true);
    listed.load('values,rowIndex');
    await context.sync();

    if (sheet.protection.protected) {
      throw new CafError('sheet-protected', {
        ro: `Foaia „${patch.sheet}” este protejată: anulați protecția (Revizuire > Anulare protecție foaie) și sincronizați din nou. Registrul nu a fost modificat.`,
        en: `The sheet "${patch.sheet}" is protected: unprotect it (Review > Unprotect Sheet) and sync again. The workbook was not changed.`,
      });
    }

    // Cells marked now: from the Conflicte rows (ID, Coloana), our notes, the old rules (getRanges: a rule Excel
    // spread over several areas, by a copy and paste, makes getRange throw).
    const key = (row: number, col: number): string => `${row}:${col}`;
    const markedCells = new Map<string, { row: number; col: number }>();
    if (!listed.isNullObject) {
      (listed.values as unknown[][]).forEach((r, i) => {
        if (listed.rowIndex + i === 0) return; // the header row
        const row = patch.locate.rows[cellText((r[0] ?? null) as CellValue).trim()];
        const col = patch.locate.columns[foldHeader(cellText((r[1] ?? null) as CellValue))];
        if (row !== undefined && col !== undefined) markedCells.set(key(row, col), { row, col });
      });
    }
    const ourNotes = (notes?.items ?? []).filter((n) => isOurNote(n.content));
    const noteRanges = ourNotes.map((n) => n.getLocation().load('address'));
    const ourRules = formats.items.filter(
      (cf) => !cf.customOrNullObject.isNullObject && cf.customOrNullObject.rule.formula === CONFLICT_MARK_FORMULA,
    );
    const ruleAreas = ourRules.map((cf) => cf.getRanges().load('areas/items/rowIndex,areas/items/columnIndex'));
    if (noteRanges.length + ruleAreas.length > 0) await context.sync();
    const noteAt = new Map<string, Excel.Note>();
    ourNotes.forEach((n, i) => {
      const at = location(noteRanges[i]!.address);
      if (!at || at.sheet.toLocaleLowerCase() !== patch.sheet.toLocaleLowerCase()) return;
      noteAt.set(key(at.row, at.col), n);
      markedCells.set(key(at.row, at.col), { row: at.row, col: at.col });
    });
    let unmarked = 0;
    ruleAreas.forEach((areas) => {
      for (const a of areas.areas.items)
        markedCells.set(key(a.rowIndex, a.columnIndex), { row: a.rowIndex, col: a.columnIndex });
    });
    for (const cf of ourRules) cf.delete();

    const wanted = new Map(patch.marks.map((m) => [key(m.row, m.col), m]));
    // The fill of marked cells that are no longer wanted: cleared only where it is still the conflict fill.
    const stale = [...markedCells.entries()].filter(([k]) => !wanted.has(k));
    const fills = stale.map(([, c]) => sheet.getRangeByIndexes(c.row, c.col, 1, 1).format.fill.load('color'));
    if (fills.length > 0) await context.sync();

    // Last sync: values, marks, revision.
    const changedMeanwhile: CellWrite[] = [];
    let written = 0;
    const apply: CellWrite[] = [];
    for (const w of patch.writes) {
      const column = columns.get(w.col)!;
      const now = (column.range.values[w.row - column.top] ?? [])[0] as CellValue | undefined;
      if (sameCell(now, w.expect)) apply.push(w);
      else changedMeanwhile.push(w);
    }
    for (const run of verticalRuns(apply)) {
      const column = columns.get(run[0]!.col)!;
      const formatsOf = column.range.numberFormat as unknown[][];
      const range = sheet.getRangeByIndexes(run[0]!.row, run[0]!.col, run.length, 1);
      const owned = run[0]!.column === 'status' || run[0]!.column === 'id';
      if (owned) range.numberFormat = run.map(() => ['@']);
      range.values = run.map((w) => {
        const format = owned ? '@' : String((formatsOf[w.row - column.top] ?? [])[0] ?? 'General');
        return [format === '@' ? w.value : asExcelText(w.value)];
      });
      written += run.length;
    }

    stale.forEach(([k, c], i) => {
      if (String(fills[i]!.color).toUpperCase() === CONFLICT_MARK_FILL)
        sheet.getRangeByIndexes(c.row, c.col, 1, 1).format.fill.clear();
      noteAt.get(k)?.delete();
      unmarked++;
    });
    let marked = 0;
    for (const [k, mark] of wanted) {
      sheet.getRangeByIndexes(mark.row, mark.col, 1, 1).format.fill.color = CONFLICT_MARK_FILL;
      if (notes) {
        const note = noteAt.get(k);
        if (note) note.content = mark.note;
        else notes.add(`${quoteSheet(patch.sheet)}!${mark.address}`, mark.note);
      }
      if (!markedCells.has(k)) marked++;
    }
    // The Conflicte sheet lists exactly the open conflicts, as the service's merged workbook does.
    if (wanted.size > 0 || !listSheet.isNullObject) {
      const list = listSheet.isNullObject ? context.workbook.worksheets.add(CONFLICTS_SHEET) : listSheet;
      if (!listed.isNullObject) listed.clear();
      const rows = [CONFLICT_HEADERS, ...patch.marks.map((m) => m.listRow)];
      const range = list.getRangeByIndexes(0, 0, rows.length, CONFLICT_HEADERS.length);
      range.numberFormat = rows.map((r) => r.map(() => '@'));
      range.values = rows;
    }

    let revision: number | null = null;
    if (revisionRange && patch.revisionCell) {
      revisionRange.numberFormat = [['@']];
      revisionRange.values = [[String(patch.toRevision)]];
      revision = patch.toRevision;
    }
    await context.sync();
    return { written, changedMeanwhile, marked, unmarked, revision };
  });
}

/**
 * Office's roaming settings as a key/value store, where the host has them (they follow the user between
 * computers); null elsewhere (Excel today: roamingSettings is an Outlook API), and the pane falls back to
 * localStorage.
 */
export function roamingStore(): {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
} | null {
  if (typeof Office === 'undefined') return null;
  const roaming = (Office.context as { roamingSettings?: Office.RoamingSettings } | undefined)?.roamingSettings;
  if (!roaming) return null;
  return {
    getItem: (key) => {
      const value = roaming.get(key) as unknown;
      return typeof value === 'string' ? value : null;
    },
    setItem: (key, value) => {
      roaming.set(key, value);
      roaming.saveAsync();
    },
  };
}
