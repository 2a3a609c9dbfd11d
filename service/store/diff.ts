// What changed between two revisions of a plan, cell by cell, compared the way the merge compares (SPEC 5).
import { FIELDS, type Field, type Plan } from '../../plan/model';
import { normalizeValue } from '../../plan/text';

export type CellChange =
  | { kind: 'cell'; rowId: string; column: Field; from: string; to: string }
  | { kind: 'row-added'; rowId: string; action: string }
  | { kind: 'row-removed'; rowId: string; action: string };

export function diffPlans(from: Plan, to: Plan): CellChange[] {
  const before = new Map(from.actions.map((a) => [a.id, a]));
  const after = new Map(to.actions.map((a) => [a.id, a]));
  const changes: CellChange[] = [];
  for (const a of to.actions) {
    const b = before.get(a.id);
    if (!b) {
      changes.push({ kind: 'row-added', rowId: a.id, action: a.text.action });
      continue;
    }
    for (const column of FIELDS) {
      if (column === 'id') continue;
      const x = b.text[column] ?? '';
      const y = a.text[column] ?? '';
      if (normalizeValue(x) !== normalizeValue(y)) changes.push({ kind: 'cell', rowId: a.id, column, from: x, to: y });
    }
  }
  for (const b of from.actions) {
    if (!after.has(b.id)) changes.push({ kind: 'row-removed', rowId: b.id, action: b.text.action });
  }
  return changes;
}
