// A department copy as service/xlsx/copy.ts issues it, made inside the fake Excel from the same definitions
// (plan/protection.ts): every cell locked but the unit's editable cells, the AutoFilter over filterArea filtered to
// the unit, the sheet protected with UNIT_PROTECTION, `_caf_plan` naming the unit. `left` moves the AutoFilter's
// first column, to play a copy issued before the range was shared (from column A).
import { cellText } from '../../plan/text';
import { metaRows } from '../../plan/grid';
import { unitCriteria } from '../../plan/highlight';
import { DEFAULT_EDITABLE, META_SHEET, type Plan, type PlanMeta } from '../../plan/model';
import { parseOwnerCodesCell } from '../../plan/owners';
import { filterArea, UNIT_PROTECTION } from '../../plan/protection';
import type { FakeWorkbook } from './fake-excel';

export function issueCopyInFake(
  wb: FakeWorkbook,
  plan: Plan,
  unit: string,
  meta: PlanMeta,
  options: { left?: number } = {},
): void {
  const sheet = wb.requireSheet(plan.sheet);
  const used = sheet.usedRect(false)!;
  sheet.setCellProps(used, { locked: true });
  const editable = DEFAULT_EDITABLE.map((f) => plan.columns[f]!);
  for (const a of plan.actions) {
    if (!parseOwnerCodesCell(cellText(a.values.ownerCodes ?? null)).includes(unit)) continue;
    for (const col of editable)
      sheet.setCellProps({ top: a.row, left: col, bottom: a.row, right: col }, { locked: false });
  }
  const area = filterArea(plan)!;
  const rect = { ...area, left: options.left ?? area.left };
  sheet.applyAutoFilter(rect, plan.columns.ownerCodes! - rect.left, unitCriteria(unit) as never);
  const metaSheet = wb.sheet(META_SHEET) ?? wb.addSheet(META_SHEET);
  metaRows({ ...meta, unit }).forEach(([k, v], r) => {
    metaSheet.writeNumberFormat({ top: r, left: 0, bottom: r, right: 1 }, [['@', '@']]);
    metaSheet.writeValues({ top: r, left: 0, bottom: r, right: 1 }, [[k, v]]);
  });
  metaSheet.visibility = 'VeryHidden';
  sheet.protect({ ...UNIT_PROTECTION, selectionMode: 'Normal' });
}
