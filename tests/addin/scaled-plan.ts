// The seed plan grown to a given number of actions, for sync-count tests and the add-in benchmark: each
// subcriterion's action rows are repeated (renumbered after its last action) round-robin until the plan has
// `actions` actions, so the structure (criteria, repeated headers, legend, continuation rows) stays the seed's.
import type { CellValue, WorkbookGrid } from '../../plan/model';
import { seedRows } from '../support/seed';

const SUBCRITERION = /^\s*\d\.\d\s*[:.]?\s/;
const ACTION = /^\s*(\d+)\s*[.)]/;

export function scaledSeedGrid(actions: number): WorkbookGrid {
  const rows = seedRows();
  // Blocks: the action rows under each subcriterion heading, with the index of the block's last action row.
  const blocks: { actions: CellValue[][]; last: number; next: number }[] = [];
  let current: (typeof blocks)[number] | null = null;
  let count = 0;
  rows.forEach((row, i) => {
    const first = typeof row[0] === 'string' ? row[0] : '';
    const filled = row.filter((v) => v !== null && v !== '').length;
    if (SUBCRITERION.test(first) && filled === 1) {
      current = { actions: [], last: -1, next: 1 };
      blocks.push(current);
      return;
    }
    if (/^Legend/i.test(first.trim())) current = null;
    const m = ACTION.exec(first);
    if (current && m && filled >= 3) {
      current.actions.push(row);
      current.last = i;
      current.next = Math.max(current.next, Number(m[1]) + 1);
      count++;
    }
  });
  const extra = new Map<number, CellValue[][]>();
  const usable = blocks.filter((b) => b.actions.length > 0);
  for (let k = 0; count < actions; k++, count++) {
    const block = usable[k % usable.length]!;
    const template = block.actions[Math.floor(k / usable.length) % block.actions.length]!;
    const copy = [...template];
    copy[0] = String(template[0]).replace(ACTION, `${block.next++}.`);
    const list = extra.get(block.last) ?? [];
    list.push(copy);
    extra.set(block.last, list);
  }
  const out: CellValue[][] = [];
  rows.forEach((row, i) => {
    out.push(row);
    for (const added of extra.get(i) ?? []) out.push(added);
  });
  return { sheets: [{ name: 'Plan', state: 'visible', rows: out, merges: [] }] };
}
