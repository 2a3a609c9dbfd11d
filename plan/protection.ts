// How a department copy is locked and filtered, defined once for both hosts: service/xlsx/copy.ts writes it into
// the .xlsx, the task pane filters within it. Excel lets a user (or an add-in) filter a protected sheet only with
// the AutoFilter already in place and only when protection allows it; a pane that asked for another range than
// the copy's would be refused (AccessDenied). So the range and the options live here, not in each host.
import type { CellRange, Plan } from './model';

/** What the protection of a department copy's plan sheet allows; everything else stays refused. */
export const UNIT_PROTECTION = {
  allowAutoFilter: true,
  allowSort: true,
  allowFormatColumns: true,
  allowFormatRows: false,
  allowFormatCells: false,
  allowInsertRows: false,
  allowDeleteRows: false,
  allowInsertColumns: false,
  allowDeleteColumns: false,
  allowInsertHyperlinks: false,
  allowPivotTables: false,
  allowEditObjects: false,
  allowEditScenarios: false,
} as const;

/** The allowances in the words of CT_SheetProtection (`autoFilter="0"` = allowed), for the xlsx writer. */
export type ProtectionAllowance = 'autoFilter' | 'sort' | 'formatColumns' | 'formatRows' | 'formatCells';

export function protectionAllowances(): ProtectionAllowance[] {
  const out: ProtectionAllowance[] = [];
  if (UNIT_PROTECTION.allowAutoFilter) out.push('autoFilter');
  if (UNIT_PROTECTION.allowSort) out.push('sort');
  if (UNIT_PROTECTION.allowFormatColumns) out.push('formatColumns');
  if (UNIT_PROTECTION.allowFormatRows) out.push('formatRows');
  if (UNIT_PROTECTION.allowFormatCells) out.push('formatCells');
  return out;
}

/**
 * The AutoFilter's range: the header row down to the last row of the last action (continuation rows included),
 * from the table's first visible column (wherever the table starts: column C when A and B are blank or unread)
 * to the rightmost recognised column, the hidden helpers included. Null for a plan without actions.
 */
export function filterArea(plan: Plan): CellRange | null {
  if (plan.actions.length === 0) return null;
  const entries = Object.entries(plan.columns).filter((e): e is [string, number] => e[1] !== undefined);
  const visible = entries.filter(([field]) => field !== 'dueDate' && field !== 'ownerCodes').map(([, c]) => c);
  const all = entries.map(([, c]) => c);
  if (visible.length === 0) return null;
  let bottom = plan.headerRow;
  for (const a of plan.actions) bottom = Math.max(bottom, a.row, ...a.continuationRows);
  return { top: plan.headerRow, left: Math.min(...visible), bottom, right: Math.max(...all) };
}
