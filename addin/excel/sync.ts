// The Office.js side of the sync with the service (the coordinator's Sync and conflict resolution): one Excel.run
// writes a patch computed by addin/service/diff.ts, at most three syncs whatever its size. Everything it needs
// was fetched and checked before it is called, so the workbook never waits on the network mid-write.
//
// Conflicted cells are marked with a conditional format (a fill that needs no memory of the cell's own fill: taking
// the rule off gives the team's formatting back exactly) and a comment that starts with CONFLICT_NOTE_PREFIX. Both
// are found again in the workbook itself, so marks from an earlier sync are cleared even on another computer.
import { parseAddress } from '../../plan/address';
import { CafError } from '../../plan/errors';
import type { CellValue } from '../../plan/model';
import { cellText } from '../../plan/text';
import { CONFLICT_NOTE_PREFIX, type CellWrite, type ConflictMark, type SyncPatch } from '../service/diff';
import { asExcelText } from './index';

/** The service's conflict fill (service/xlsx/merged.ts CONFLICT_FILL), so both hosts mark conflicts alike. */
export const CONFLICT_MARK_FILL = '#F8CBAD';
/** Always true; the string in it is how our rule is told from the team's own rules. */
export const CONFLICT_MARK_FORMULA = '=LEN("caf-plan-conflict")>0';

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
 * workbook was read), the protection and our existing marks; sync 2 locates our marks (only when there are some);
 * the last sync writes the values, then `_caf_plan`'s revision (last, so a write Excel refuses leaves the old
 * revision and the next Sync redoes the patch), then the marks.
 */
export async function applySyncPatch(patch: SyncPatch): Promise<ApplyOutcome> {
  const commentsSupported = Office.context.requirements.isSetSupported('ExcelApi', '1.10');
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
    const comments = commentsSupported ? context.workbook.comments : null;
    comments?.load('items/id,items/content');
    await context.sync();

    if (sheet.protection.protected) {
      throw new CafError('sheet-protected', {
        ro: `Foaia „${patch.sheet}” este protejată: anulați protecția (Revizuire > Anulare protecție foaie) și sincronizați din nou. Registrul nu a fost modificat.`,
        en: `The sheet "${patch.sheet}" is protected: unprotect it (Review > Unprotect Sheet) and sync again. The workbook was not changed.`,
      });
    }

    // Sync 2: where our marks are.
    const ourFormats = formats.items.filter(
      (cf) => !cf.customOrNullObject.isNullObject && cf.customOrNullObject.rule.formula === CONFLICT_MARK_FORMULA,
    );
    const formatRanges = ourFormats.map((cf) => cf.getRange().load('address'));
    const commentItems = comments?.items ?? [];
    const commentRanges = commentItems.map((c) => c.getLocation().load('address'));
    if (formatRanges.length + commentRanges.length > 0) await context.sync();

    // Sync 3: values, revision, marks.
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
      sheet.getRangeByIndexes(run[0]!.row, run[0]!.col, run.length, 1).values = run.map((w) => {
        // A text-formatted cell keeps what it is given; elsewhere an apostrophe keeps `=...` or `12` as text (SPEC 4).
        const format = String((formatsOf[w.row - column.top] ?? [])[0] ?? 'General');
        return [format === '@' ? w.value : asExcelText(w.value)];
      });
      written += run.length;
    }
    let revision: number | null = null;
    if (revisionRange && patch.revisionCell) {
      revisionRange.numberFormat = [['@']];
      revisionRange.values = [[String(patch.toRevision)]];
      revision = patch.toRevision;
    }

    const wanted = new Map<string, ConflictMark>(patch.marks.map((m) => [m.address, m]));
    const key = (sheetName: string, row: number, col: number): string | null =>
      sheetName.toLocaleLowerCase() === patch.sheet.toLocaleLowerCase() ? `${row}:${col}` : null;
    const wantedAt = new Map(patch.marks.map((m) => [`${m.row}:${m.col}`, m]));
    let unmarked = 0;
    const filled = new Set<string>();
    ourFormats.forEach((cf, i) => {
      const at = location(formatRanges[i]!.address);
      const k = at ? key(at.sheet, at.row, at.col) : null;
      if (k !== null && wantedAt.has(k) && !filled.has(k)) filled.add(k);
      else {
        cf.delete();
        unmarked++;
      }
    });
    const commented = new Set<string>();
    commentItems.forEach((comment, i) => {
      const at = location(commentRanges[i]!.address);
      const k = at ? key(at.sheet, at.row, at.col) : null;
      if (k !== null) commented.add(k); // anyone's comment: a cell holds one thread, ours is not added beside it
      if (!comment.content.startsWith(CONFLICT_NOTE_PREFIX)) return;
      const mark = k === null ? undefined : wantedAt.get(k);
      if (!mark) comment.delete();
      else if (comment.content !== mark.note) comment.content = mark.note;
    });
    let marked = 0;
    for (const mark of wanted.values()) {
      const k = `${mark.row}:${mark.col}`;
      if (!filled.has(k)) {
        const cf = sheet
          .getRangeByIndexes(mark.row, mark.col, 1, 1)
          .conditionalFormats.add(Excel.ConditionalFormatType.custom);
        cf.custom.rule.formula = CONFLICT_MARK_FORMULA;
        cf.custom.format.fill.color = CONFLICT_MARK_FILL;
        // On top of the deadline colours, which would otherwise paint over it.
        cf.priority = 0;
        marked++;
      }
      if (comments && !commented.has(k)) comments.add(`${quoteSheet(patch.sheet)}!${mark.address}`, mark.note);
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
