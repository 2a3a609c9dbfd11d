// Plans of 50,000 actions in three layouts (issue 13), as grids: today's (the seed's shape: criterion and
// subcriterion rows, `k. text` in the action cell), a ministry model with running `Nr. crt.` numbers across the
// plan, and a level column (`Nivel`: Criteriul / Subcriteriul / Măsura). Shared by bench/layouts.bench.ts and
// the reading-speed test, so both measure the same plans.
import type { CellValue, WorkbookGrid } from '../plan/model';

export const LAYOUT_KINDS = ['today', 'running-numbers', 'level-column'] as const;
export type LayoutKind = (typeof LAYOUT_KINDS)[number];

const HEADERS: Record<LayoutKind, CellValue[]> = {
  today: [
    'Acțiuni necesare',
    'Rezultate măsurabile',
    'Responsabil pentru îndeplinirea acțiunilor',
    'Termen de realizare',
    'Monitorizare și evaluare',
    'Resurse necesare',
  ],
  'running-numbers': [
    'Nr. crt.',
    'Acțiune de îmbunătățire',
    'Indicatori de performanță',
    'RESPONSABIL (subdiviziune / funcționar public)',
    'Termen limită',
    'Resurse',
    'Observații',
  ],
  'level-column': ['Nivel', 'Denumire', 'Rezultat așteptat', 'Responsabil', 'Termen', 'Resurse'],
};

/** `actions` actions in 9 criteria x 4 subcriteria blocks of 50, with a repeated header every 10 actions. */
export function layoutGrid(kind: LayoutKind, actions: number): WorkbookGrid {
  const header = HEADERS[kind];
  const rows: CellValue[][] = [header];
  let n = 0;
  for (let c = 1; n < actions; c = (c % 9) + 1) {
    rows.push(kind === 'level-column' ? [`Criteriul ${c}`, 'X'] : [`CRITERIUL ${c}: X`]);
    for (let s = 1; s <= 4 && n < actions; s++) {
      if (kind === 'today') rows.push([`${c}.${s}: Subcriteriu`]);
      else if (kind === 'running-numbers') rows.push([`${c}.${s}.`, 'Subcriteriu']);
      else rows.push([`Subcriteriul ${c}.${s}.`, 'Subcriteriu']);
      for (let k = 1; k <= 50 && n < actions; k++, n++) {
        const text = `Acțiunea ${n} cu un text de lungime obișnuită pentru un plan`;
        if (kind === 'today') {
          rows.push([`${k}. ${text}`, 'Rezultat', 'SIC, DMRU', 'SEM. II 2023', null, 'Resurse umane; de timp']);
        } else if (kind === 'running-numbers') {
          rows.push([n + 1, text, 'Rezultat', 'SIC, DMRU', 'T4 2023', 'Resurse umane; de timp', null]);
        } else {
          rows.push([`Măsura ${c}.${s}.${k}`, text, 'Rezultat', 'SIC, DMRU', 'decembrie 2023', 'Resurse umane']);
        }
        if (k % 10 === 0) rows.push([], ['UNIUNEA EUROPEANĂ'], header);
      }
    }
  }
  return { sheets: [{ name: 'Plan', state: 'visible', rows, merges: [] }] };
}
