// The merged workbook (SPEC 5): the master with the applied changes written into their cells, a `Conflicte` sheet
// listing every conflict with what the coordinator can do about it, and each conflicted cell of the plan marked
// with a fill and a note. Values from submissions are always written as text, never as formulas.
import { cellAddress } from '../../plan/address';
import { planSheets } from '../../plan/grid';
import type { MergeResult } from '../../plan/merge';
import type { Field, Plan, PlanMeta } from '../../plan/model';
import { CONFLICT_KIND_LABELS } from '../../plan/labels';
import type { Conflict, ConflictKind } from '../../plan/report';
import { XlsxPackage } from './package';
import { refreshHelperColumns, writeMeta } from './prepare';
import { SheetPatch, tableSheetXml } from './sheet-patch';
import { StylesPatch } from './styles-patch';

export const CONFLICTS_SHEET = 'Conflicte';
/** Light orange, as Excel's "Orange, Accent 2, Lighter 60%". */
export const CONFLICT_FILL = 'FFF8CBAD';
/** Who our notes are written by (SheetPatch's default author): how an earlier merge's notes are recognised. */
const NOTE_AUTHOR = 'caf-plan';
const NOTE_PREFIX = 'Conflict: ';
const EXCEL_CELL_LIMIT = 32_767;
const NOTE_VALUE_CHARS = 300;

export const CONFLICT_GUIDE: Record<ConflictKind, { label: string; advice: string }> = {
  'not-owner': {
    label: CONFLICT_KIND_LABELS['not-owner'].ro,
    advice:
      'Unitatea a modificat un rând care nu este al ei. Dacă unitatea trebuie să fie responsabilă, adăugați-o în coloana Responsabil și scrieți valoarea în plan; altfel nu faceți nimic.',
  },
  'locked-column': {
    label: CONFLICT_KIND_LABELS['locked-column'].ro,
    advice:
      'Este o propunere a unității pentru o coloană pe care o gestionați dumneavoastră: dacă o acceptați, scrieți valoarea în plan; altfel nu faceți nimic.',
  },
  'invalid-value': {
    label: CONFLICT_KIND_LABELS['invalid-value'].ro,
    advice:
      'Valoarea nu este în vocabular (de ex. o stare din afara listei). Cereți unității o valoare validă sau scrieți în plan valoarea corectă.',
  },
  'coordinator-edit': {
    label: CONFLICT_KIND_LABELS['coordinator-edit'].ro,
    advice:
      'Ați modificat și dumneavoastră celula după emiterea copiei; planul păstrează valoarea dumneavoastră. Alegeți varianta corectă și scrieți-o în plan.',
  },
  'concurrent-edit': {
    label: CONFLICT_KIND_LABELS['concurrent-edit'].ro,
    advice:
      'Unitățile au trimis valori diferite pentru aceeași celulă; planul păstrează valoarea curentă. Stabiliți cu unitățile valoarea corectă și scrieți-o în plan.',
  },
  'row-added': {
    label: CONFLICT_KIND_LABELS['row-added'].ro,
    advice:
      'Copiile nu pot adăuga acțiuni. Dacă acțiunea este necesară, adăugați-o dumneavoastră în plan, cu un ID nou.',
  },
  'row-deleted': {
    label: CONFLICT_KIND_LABELS['row-deleted'].ro,
    advice:
      'Copiile nu pot șterge acțiuni. Dacă acțiunea nu mai este necesară, marcați-o „Anulat” sau ștergeți-o dumneavoastră din plan.',
  },
  'unknown-row': {
    label: CONFLICT_KIND_LABELS['unknown-row'].ro,
    advice:
      'Rândul nu poate fi potrivit cu planul (ID lipsă sau modificat). Cereți unității să păstreze ID-urile sau scrieți valorile în plan manual.',
  },
};

const CONFLICT_HEADERS = [
  'ID',
  'Coloana',
  'Valoare de bază',
  'Valoare curentă (coordonator)',
  'Valori propuse (unitate: valoare)',
  'Tip',
  'Ce faceți',
  'Detalii',
];
const CONFLICT_WIDTHS = [10, 22, 40, 40, 50, 26, 60, 60];

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function proposals(conflict: Conflict, max: number): string {
  return clip(conflict.values.map((v) => `${v.unit}: ${v.value}`).join('\n'), max);
}

/** The note on a conflicted cell: the kind and every competing value with its unit. */
export function conflictNote(conflicts: readonly Conflict[]): string {
  return conflicts
    .map((c) => {
      const lines = [`${NOTE_PREFIX}${CONFLICT_GUIDE[c.kind].label}.`];
      for (const v of c.values) lines.push(`${v.unit}: ${clip(v.value, NOTE_VALUE_CHARS) || '(gol)'}`);
      if (c.current !== null) lines.push(`Valoarea păstrată în plan: ${clip(c.current, NOTE_VALUE_CHARS) || '(gol)'}`);
      lines.push(`Vezi foaia ${CONFLICTS_SHEET}. / Conflict: ${c.message.en}`);
      return lines.join('\n');
    })
    .join('\n\n');
}

/**
 * Takes off the marks an earlier merge left on the plan sheet (our conflict fill, our notes), so each merged
 * workbook shows this merge's conflicts only; the team's own fills and notes stay.
 */
function clearEarlierMarks(sheet: SheetPatch, styles: StylesPatch): void {
  sheet.removeNotes(NOTE_AUTHOR, (text) => text.startsWith(NOTE_PREFIX));
  const marked = styles.xfsFilledWith(CONFLICT_FILL);
  if (marked.size === 0) return;
  const restored = new Map<number, number>();
  for (const r of sheet.rowNumbers()) {
    for (const cell of sheet.cellsOfRow(r)) {
      if (!marked.has(cell.style)) continue;
      let style = restored.get(cell.style);
      if (style === undefined) restored.set(cell.style, (style = styles.withoutFill(cell.style)));
      sheet.setStyle(r, cell.col, style);
    }
  }
}

export async function writeMergedWorkbook(
  masterBytes: Uint8Array,
  plan: Plan,
  result: MergeResult,
  meta: PlanMeta,
): Promise<Uint8Array> {
  // A plan over several sheets (issue 13): each sheet takes its own rows' edits, in its own columns, in turn.
  if (plan.moreSheets?.length) {
    let out = masterBytes;
    for (const part of planSheets(plan)) {
      const ids = new Set(part.actions.map((a) => a.id));
      const edits = result.edits
        .filter((e) => ids.has(e.rowId))
        .map((e) => ({ ...e, col: part.columns[e.column] ?? e.col }));
      out = await writeMergedWorkbook(out, part, { ...result, edits }, meta);
    }
    return out;
  }
  const pkg = await XlsxPackage.open(masterBytes);
  const styles = StylesPatch.open(pkg);
  const sheet = SheetPatch.open(pkg, styles, pkg.sheet(plan.sheet));

  clearEarlierMarks(sheet, styles);
  // The merged text goes into the action's own row; the reader joins continuation rows to it, so the column's
  // cells on those rows are emptied or the text would read twice.
  const continuations = new Map(plan.actions.map((a) => [a.row, a.continuationRows]));
  for (const edit of result.edits) {
    sheet.setString(edit.row, edit.col, edit.value);
    for (const r of continuations.get(edit.row) ?? [])
      if (sheet.hasValue(r, edit.col)) sheet.setString(r, edit.col, '');
  }

  // The helper columns follow the merged values (a deadline or owners changed by the merge or a resolution),
  // and are added when the master has none.
  const changed = new Map<number, Map<Field, string>>();
  for (const edit of result.edits) {
    const row = changed.get(edit.row) ?? new Map<Field, string>();
    row.set(edit.column, edit.value);
    changed.set(edit.row, row);
  }
  refreshHelperColumns(sheet, styles, {
    ...plan,
    actions: plan.actions.map((a) => {
      const row = changed.get(a.row);
      if (!row) return a;
      const text = { ...a.text };
      const values = { ...a.values };
      for (const [field, value] of row) {
        text[field] = value;
        values[field] = value;
      }
      return { ...a, text, values };
    }),
  });

  const rowOf = new Map(plan.actions.map((a) => [a.id, a.row]));
  const headerText = (field: Field | null): string => {
    if (field === null) return '';
    const col = plan.columns[field];
    return (col !== undefined ? sheet.text(plan.headerRow, col).trim() : '') || field;
  };
  const byCell = new Map<string, { row: number; col: number; conflicts: Conflict[] }>();
  for (const conflict of result.report.conflicts) {
    const row = conflict.rowId !== null ? rowOf.get(conflict.rowId) : undefined;
    // A whole-row conflict marks the row's ID cell (or its action cell when there is no ID column).
    const col = conflict.column !== null ? plan.columns[conflict.column] : (plan.columns.id ?? plan.columns.action);
    if (row === undefined || col === undefined) continue;
    const key = cellAddress(row, col);
    const entry = byCell.get(key) ?? { row, col, conflicts: [] };
    entry.conflicts.push(conflict);
    byCell.set(key, entry);
  }
  for (const { row, col, conflicts } of byCell.values()) {
    sheet.deriveStyle(row, col, { fill: CONFLICT_FILL });
    sheet.addNote(row, col, conflictNote(conflicts), { columns: 4, rows: Math.min(20, 3 + conflicts.length * 5) });
  }

  const rows = result.report.conflicts.map((c) => [
    c.rowId ?? '',
    headerText(c.column),
    clip(c.base ?? '', EXCEL_CELL_LIMIT),
    clip(c.current ?? '', EXCEL_CELL_LIMIT),
    proposals(c, EXCEL_CELL_LIMIT),
    CONFLICT_GUIDE[c.kind].label,
    CONFLICT_GUIDE[c.kind].advice,
    clip(c.message.ro, EXCEL_CELL_LIMIT),
  ]);
  const xml = tableSheetXml([CONFLICT_HEADERS, ...rows], {
    widths: CONFLICT_WIDTHS,
    headerStyle: styles.derive(0, { bold: true, fill: 'FFD9E2F3', border: 'thin', wrap: true }),
    bodyStyle: styles.derive(0, { border: 'thin', wrap: true }),
  });
  const existing = pkg.sheets().find((s) => s.name === CONFLICTS_SHEET);
  // The sheet lists this merge's conflicts: an earlier merge's list is replaced, not appended to.
  if (existing) pkg.setText(existing.part, xml);
  else pkg.addSheet(CONFLICTS_SHEET, 'visible', xml);

  writeMeta(pkg, { ...meta, revision: result.report.newRevision });
  sheet.commit();
  styles.commit();
  return pkg.save();
}
