// The seed plan's own cells, by column, for the vocabulary tests: every real spelling must be understood.
import type { Unit } from '../../plan/model';
import { seedRows } from '../support/seed';

const HEADER_OWNERS = 'Responsabil pentru îndeplinirea acțiunilor';

/** Cells of the seed's action tables (6 columns) below a header row, header rows and blanks left out. */
export function seedColumn(index: 0 | 1 | 2 | 3 | 4 | 5): string[] {
  const cells: string[] = [];
  for (const row of seedRows()) {
    if (row.length !== 6 || row[2] === HEADER_OWNERS) continue;
    const cell = row[index];
    if (typeof cell === 'string' && cell.trim() !== '' && cell.trim() !== '--') cells.push(cell);
  }
  return cells;
}

/** The seed's legend (`CODE - Full name;` lines after `Legendă:`). */
export function seedUnits(): Unit[] {
  const rows = seedRows();
  const start = rows.findIndex((r) => String(r[0] ?? '').trim() === 'Legendă:');
  const units: Unit[] = [];
  for (const row of rows.slice(start + 1)) {
    const m = /^\s*([A-Z]+)\s+-\s+(.+?)[;.]?\s*$/.exec(String(row[0] ?? ''));
    if (m) units.push({ code: m[1]!, name: m[2]! });
  }
  return units;
}
