// A department copy (SPEC 5): the prepared plan with the unit's metadata, its rows' editable cells unlocked and
// everything else locked by sheet protection without a password, filtered to the unit's rows the way Excel
// saves a filtered sheet, and a note on the title with instructions. Works in Excel with or without the add-in.
import { planSheets } from '../../plan/grid';
import { cellText } from '../../plan/text';
import { CafError } from '../../plan/errors';
import { ADDED_HEADERS, DEFAULT_EDITABLE, type Field, type Plan, type PlanMeta } from '../../plan/model';
import { parseOwnerCodesCell } from '../../plan/owners';
import { STATUSES } from '../../plan/status';
import { cellAddress } from '../../plan/address';
import { filterArea, protectionAllowances } from '../../plan/protection';
import { REL_TYPES, XlsxPackage } from './package';
import { lastTableRow, refreshHelperColumns, writeMeta } from './prepare';
import { SheetPatch } from './sheet-patch';
import { StylesPatch } from './styles-patch';

function notPrepared(): CafError {
  return new CafError('xlsx-not-prepared', {
    ro: 'Registrul nu are coloana ID a acțiunilor: rulați întâi „prepare”.',
    en: 'The workbook has no ID column for its actions: run "prepare" first.',
  });
}

/** The actions a unit owns, by the owners helper column (what the AutoFilter of the copy filters on). */
export function unitActions(plan: Plan, unit: string): Plan['actions'] {
  return plan.actions.filter((a) => parseOwnerCodesCell(cellText(a.values.ownerCodes)).includes(unit));
}

/** Where the title is: the first non-empty cell above the header (A1 when there is none). */
function titleCell(sheet: SheetPatch, headerRow: number): { row: number; col: number } {
  for (const r of sheet.rowNumbers().sort((a, b) => a - b)) {
    if (r >= headerRow) break;
    const cell = sheet.cellsOfRow(r).find((c) => c.hasValue);
    if (cell) return { row: r, col: cell.col };
  }
  return { row: 0, col: 0 };
}

export function copyInstructions(
  unit: string,
  columns: readonly string[],
  meta: PlanMeta,
  filterColumn: string,
): string {
  const list = columns.map((c) => `„${c}”`).join(', ');
  return [
    `Copie pentru ${unit}: planul ${meta.planId}, revizia ${meta.revision}${meta.issuedAt ? `, emisă la ${meta.issuedAt.slice(0, 10)}` : ''}.`,
    `Completați doar coloanele ${list} pe rândurile unității ${unit}; celelalte celule sunt blocate.`,
    `Filtrul pe coloana ascunsă „${filterColumn}” arată doar rândurile unității; pentru tot planul: Date > Golire filtru.`,
    `Stare: alegeți din listă (${STATUSES.map((s) => s.ro).join(', ')}).`,
    'Nu adăugați, nu ștergeți și nu mutați rânduri și nu schimbați valorile din coloana ID: rândurile se potrivesc după ID.',
    'Salvați ca .xlsx și trimiteți fișierul coordonatorului CAF (din add-in, prin formularul web sau în folderul stabilit).',
    '',
    `EN: copy for ${unit}. Fill in only ${columns.join(', ')} on your unit's rows; do not add, delete or reorder rows or change IDs; save as .xlsx and send it back to the CAF coordinator.`,
  ].join('\n');
}

export async function departmentCopy(
  preparedBytes: Uint8Array,
  givenPlan: Plan,
  unit: string,
  meta: PlanMeta,
): Promise<Uint8Array> {
  // A plan over several sheets (issue 13): each sheet is made a department copy in turn.
  if (givenPlan.moreSheets?.length) {
    let out = preparedBytes;
    for (const part of planSheets(givenPlan)) out = await departmentCopy(out, part, unit, meta);
    return out;
  }
  // Only the ids are needed: the helper columns are derived, recomputed here (and added when missing).
  if (givenPlan.columns.id === undefined) throw notPrepared();
  const editable: readonly Field[] = meta.editable ?? DEFAULT_EDITABLE;
  const pkg = await XlsxPackage.open(preparedBytes);
  const styles = StylesPatch.open(pkg);
  const sheetRef = pkg.sheet(givenPlan.sheet);
  const sheet = SheetPatch.open(pkg, styles, sheetRef);
  const plan = refreshHelperColumns(sheet, styles, givenPlan);
  const ownersCol = plan.columns.ownerCodes!;

  // Cells the team left unlocked would stay editable under protection: lock them, except the unit's own.
  const editableCols = editable.map((f) => plan.columns[f]).filter((c): c is number => c !== undefined);
  const mine = unitActions(plan, unit);
  const editableCells = new Set(mine.flatMap((a) => editableCols.map((c) => cellAddress(a.row, c))));
  const unlockedStyles = new Set<number>();
  for (let i = 0; i < styles.cellXfCount(); i++) if (!styles.isLocked(i)) unlockedStyles.add(i);
  if (unlockedStyles.size > 0) {
    for (const r of sheet.rowNumbers()) {
      for (const cell of sheet.cellsOfRow(r)) {
        if (unlockedStyles.has(cell.style) && !editableCells.has(cellAddress(r, cell.col))) {
          sheet.setStyle(r, cell.col, styles.derive(cell.style, { locked: true }));
        }
      }
    }
  }
  for (const action of mine) {
    for (const col of editableCols) {
      const style = sheet.styleAt(action.row, col);
      if (styles.isLocked(style)) sheet.setStyle(action.row, col, styles.derive(style, { locked: false }));
    }
  }

  // The filter Excel would save: the AutoFilter on the owners helper, the rows it does not match hidden.
  // Its range and the protection's allowances come from plan/protection.ts, which the task pane filters within.
  const last = lastTableRow(plan);
  const area = filterArea(plan);
  if (area)
    sheet.setAutoFilter(`${cellAddress(area.top, area.left)}:${cellAddress(area.bottom, area.right)}`, [
      { col: ownersCol, pattern: `*;${unit};*` },
    ]);
  const visible = new Set(mine.flatMap((a) => [a.row, ...a.continuationRows]));
  for (let r = plan.headerRow + 1; r <= last; r++) sheet.setRowHidden(r, !visible.has(r));
  sheet.protect({ allow: protectionAllowances() });

  const title = titleCell(sheet, plan.headerRow);
  const fullMeta: PlanMeta = {
    ...meta,
    unit,
    issuedAt: meta.issuedAt ?? new Date().toISOString(),
    editable: [...editable],
  };
  const headers = editableCols.map((c) => sheet.text(plan.headerRow, c) || String(c));
  sheet.addNote(
    title.row,
    title.col,
    copyInstructions(unit, headers, fullMeta, sheet.text(plan.headerRow, ownersCol) || ADDED_HEADERS.ownerCodes),
    {
      columns: 6,
      rows: 14,
    },
  );
  sheet.commit();

  // The other sheets are read-only too; a sheet the team protected keeps its own protection.
  for (const other of pkg.sheets()) {
    if (
      other.name === plan.sheet ||
      !pkg.related(pkg.workbookPart, REL_TYPES.worksheet).some((r) => r.target === other.part)
    )
      continue;
    const patch = SheetPatch.open(pkg, styles, other);
    if (patch.elementXml('sheetProtection') !== null) continue;
    patch.protect();
    patch.commit();
  }
  writeMeta(pkg, fullMeta);
  styles.commit();
  return pkg.save();
}
