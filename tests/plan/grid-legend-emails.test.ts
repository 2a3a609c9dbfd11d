// The legend's optional E-mail column (issue 17): the cells of a unit's legend row that hold addresses are the unit's
// contacts; a legend without them reads as before.
import { describe, expect, it } from 'vitest';
import { readPlan } from '../../plan/grid';
import type { CellValue, SheetGrid } from '../../plan/model';

const HEADER = ['Acțiuni necesare', 'Rezultate măsurabile', 'Responsabil', 'Termen de realizare'];
const sheet = (rows: CellValue[][], name = 'Plan'): SheetGrid => ({ name, state: 'visible', rows, merges: [] });

describe('legend e-mail column', () => {
  it('reads addresses beside a legend below the table and on its own sheet', () => {
    const plan = readPlan({
      sheets: [
        sheet([
          HEADER,
          ['1.1: L'],
          ['1. A', 'R', 'SIC, DMRU', '2023'],
          [],
          ['Legendă:', null, 'E-mail'],
          ['SIC - Serviciul Imagine și Cultură', null, 'SIC@Primarie.ro; presa@primarie.ro'],
          ['DMRU - Direcția Management Resurse Umane', null, null],
        ]),
        sheet(
          [
            ['Cod', 'Denumire', 'E-mail'],
            ['DI', 'Direcția Investiții', 'mailto:investitii@primarie.ro'],
            ['CL', 'Consiliul Local', 'nu are'],
          ],
          'Legendă',
        ),
      ],
    });
    expect(plan.units).toEqual([
      { code: 'SIC', name: 'Serviciul Imagine și Cultură', emails: ['sic@primarie.ro', 'presa@primarie.ro'] },
      { code: 'DMRU', name: 'Direcția Management Resurse Umane' },
      { code: 'DI', name: 'Direcția Investiții', emails: ['investitii@primarie.ro'] },
      { code: 'CL', name: 'Consiliul Local' },
    ]);
    expect(plan.findings.filter((f) => f.rule.startsWith('legend'))).toEqual([]);
  });
});
