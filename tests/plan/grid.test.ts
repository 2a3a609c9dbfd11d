import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { headerColumn, headerFields, metaRows, readPlan } from '../../plan/grid';
import {
  ADDED_HEADERS,
  META_SHEET,
  type CellValue,
  type Plan,
  type SheetGrid,
  type WorkbookGrid,
} from '../../plan/model';
import { SEED_SUBCRITERIA, seedGrid, seedRows } from '../support/seed';

const HEADER = [
  'Acțiuni necesare',
  'Rezultate măsurabile',
  'Responsabil pentru îndeplinirea acțiunilor',
  'Termen de realizare',
  'Monitorizare și evaluare',
  'Resurse necesare',
];

function sheet(rows: CellValue[][], name = 'Plan'): SheetGrid {
  return { name, state: 'visible', rows, merges: [] };
}
function book(...sheets: SheetGrid[]): WorkbookGrid {
  return { sheets };
}

/** What the seed must read as, whatever the host did to the grid around it. */
function expectSeedShape(plan: Plan): void {
  expect(plan.actions).toHaveLength(72);
  expect(plan.subcriteria.map((s) => s.code)).toEqual(SEED_SUBCRITERIA);
  expect(plan.criteria.map((c) => c.code)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
  expect(plan.units).toHaveLength(12);
  expect(plan.units.map((u) => u.code)).toEqual([
    'CL',
    'CMON',
    'CSDDPP',
    'DGAPL',
    'DI',
    'DJLCA',
    'DME',
    'DMRU',
    'SIC',
    'SMI',
    'SRRP',
    'STLSA',
  ]);
  const ids = plan.actions.map((a) => a.id);
  expect(new Set(ids).size).toBe(72);
  expect(ids.slice(0, 3)).toEqual(['1.1.1', '1.1.2', '1.1.3']);
  expect(ids.at(-1)).toBe('9.2.2');
  // 2.4 continues after a page header (UNIUNEA EUROPEANĂ ...) and a repeated header: six actions, no prose.
  expect(ids.filter((id) => id.startsWith('2.4.'))).toEqual(['2.4.1', '2.4.2', '2.4.3', '2.4.4', '2.4.5', '2.4.6']);
  expect(ids.filter((id) => id.startsWith('4.3.'))).toEqual(['4.3.1', '4.3.2']);
  // `4.Revizuirea` (no space after the number) is the fourth action of 3.3.
  const revizuirea = plan.actions.find((a) => a.id === '3.3.4')!;
  expect(revizuirea.text.action).toMatch(/^4\.Revizuirea sarcinilor/);
  expect(revizuirea.number).toBe(4);
  // 6.1 comes with no header row repeated above it.
  expect(ids.filter((id) => id.startsWith('6.1.'))).toEqual(['6.1.1', '6.1.2']);
  for (const a of plan.actions) {
    expect(a.text.action).not.toMatch(/UNIUNEA|Instrumente Structurale|Legend/);
    expect(a.subcriterion).toBe(a.id.split('.').slice(0, 2).join('.'));
  }
  const facilities = plan.actions.find((a) => a.id === '4.6.1')!;
  expect(facilities.text.action.split('\n')).toEqual([
    expect.stringMatching(/^1\. Implementarea unor măsuri suport .* umiditate\);$/),
    expect.stringMatching(/^b\) amenajarea la sediul PS 1 .* d\) dotare cu mobilier nou\.$/),
  ]);
  expect(facilities.continuationRows).toHaveLength(1);
  expect(facilities.text.owners).toBe('DGAPL, DMRU');
  const last = plan.actions.at(-1)!;
  expect(last.continuationRows).toEqual([]);
  expect(last.text.action).toBe('2. Rezultate privind îndeplinirea țintelor bugetare și financiare');
  expect(plan.findings).toEqual([]);
}

describe('readPlan on the seed (Sector 1, 72 measures)', () => {
  it('reads every action, subcriterion, criterion and the legend', () => {
    const plan = readPlan(seedGrid());
    expectSeedShape(plan);
    expect(plan.sheet).toBe('Plan');
    expect(plan.columns).toEqual({ action: 0, result: 1, owners: 2, deadline: 3, monitoring: 4, resources: 5 });
    expect(plan.repeatedHeaderRows.length).toBeGreaterThan(10);
    expect(plan.units.find((u) => u.code === 'CMON')!.name).toBe(
      'Comisia de Monitorizare pentru supervizarea procesului de elaborare și implementare a Planului Strategic Instituțional - PSI',
    );
    expect(plan.criteria.find((c) => c.code === '9')!.title).toBe('REZULTATE CHEIE ALE PERFORMANTELOR');
    const first = plan.actions[0]!;
    expect(first.text.owners).toBe('CSDPPP');
    expect(first.text.deadline).toBe('SEM. II. 2022');
    expect(first.values.deadline).toBe('SEM. II. 2022');
    expect(first.criterion).toBe('1');
  });

  it('reads the same with criterion and subcriterion rows merged across the table', () => {
    const rows = seedRows().map((r) => [...r]);
    const merges: SheetGrid['merges'] = [];
    rows.forEach((row, r) => {
      const t = typeof row[0] === 'string' ? row[0] : '';
      if (/^(CRITERIUL \d|\d\.\d:)/.test(t)) {
        rows[r] = [t, null, null, null, null, null];
        merges.push({ top: r, left: 0, bottom: r, right: 5 });
      }
    });
    expect(merges.length).toBe(9 + 28);
    expectSeedShape(readPlan({ sheets: [{ name: 'Plan', state: 'visible', rows, merges }] }));
  });

  it('reads the same when a host repeats a merged value in every cell of the area', () => {
    const rows = seedRows().map((r) => {
      const t = typeof r[0] === 'string' ? r[0] : '';
      return /^CRITERIUL \d/.test(t) ? [t, t, t, t, t, t] : r;
    });
    expectSeedShape(readPlan(book(sheet(rows))));
  });

  it('reads the same shifted down and right by blank rows and columns', () => {
    const rows: CellValue[][] = [[], [null, null], []];
    for (const r of seedRows()) rows.push([null, null, null, ...r]);
    const plan = readPlan(book(sheet(rows)));
    expectSeedShape(plan);
    expect(plan.columns.action).toBe(3);
    expect(plan.actions[0]!.row).toBe(
      seedRows().findIndex((r) => typeof r[0] === 'string' && r[0].startsWith('1. Comunicarea')) + 3,
    );
  });

  it('takes ids and statuses from the columns prepare appends, and the metadata from _caf_plan', () => {
    const base = readPlan(seedGrid());
    const idOfRow = new Map(base.actions.map((a) => [a.row, a.id]));
    const rows = seedRows().map((r, i) => {
      if (r[0] === HEADER[0])
        return [...HEADER, ADDED_HEADERS.id, ADDED_HEADERS.status, ADDED_HEADERS.dueDate, ADDED_HEADERS.ownerCodes];
      const id = idOfRow.get(i);
      if (!id) return r;
      const padded = [...r, null, null, null, null, null, null].slice(0, 6);
      return [...padded, `${id}`, id === '1.1.2' ? 'În curs' : 'Neînceput', 45291, ';SIC;'];
    });
    const meta = {
      planId: 'sector1-2022',
      revision: 3,
      issuedAt: '2026-11-20T10:00:00Z',
      schemaVersion: 1,
      editable: ['status', 'monitoring'] as ('status' | 'monitoring')[],
    };
    const plan = readPlan(
      book(sheet(rows), { name: META_SHEET, state: 'veryHidden', rows: metaRows(meta), merges: [] }),
    );
    expectSeedShape(plan);
    expect(plan.columns).toMatchObject({ id: 6, status: 7, dueDate: 8, ownerCodes: 9 });
    expect(plan.actions.every((a) => a.idFromColumn)).toBe(true);
    expect(plan.actions.find((a) => a.id === '1.1.2')!.text.status).toBe('În curs');
    expect(plan.actions[0]!.values.dueDate).toBe(45291);
    expect(plan.meta).toEqual(meta);
  });
});

describe('readPlan: the shapes a team writes', () => {
  const table = (...body: CellValue[][]): WorkbookGrid =>
    book(sheet([['PLAN DE MĂSURI'], [], HEADER, ...body, [], ['Legendă:'], ['SIC - Serviciul Imagine și Cultură;']]));

  it('accepts header synonyms after folding case, diacritics, spaces and a trailing colon', () => {
    expect(headerColumn('  ACTIUNI   NECESARE: ')).toBe('action');
    expect(headerColumn('Stadiu realizare')).toBe('status');
    expect(headerColumn('Stadiu')).toBe('monitoring');
    expect(headerColumn('Responsabil.')).toBe('owners');
    expect(headerColumn('Nr.')).toBe('number');
    expect(headerColumn('Observaţii')).toBe('monitoring');
    expect(headerColumn('Coduri responsabili')).toBe('ownerCodes');
    expect(headerColumn('Stadiu realizare acțiuni')).toBe('status');
    expect(headerColumn('Legendă')).toBeNull();
    expect(headerColumn('CRITERIUL 1: LEADERSHIP')).toBeNull();
  });

  it('recognises headers by meaning: qualifiers in parentheses dropped, one header naming two fields', () => {
    expect(headerFields('RESPONSABIL (subdiviziune / resurse alocate)')).toEqual(['owners']);
    expect(headerFields('RESPONSABILI / RESURSE')).toEqual(['owners', 'resources']);
    expect(headerFields('Indicatori de performanță')).toEqual(['result']);
    expect(headerFields('ACŢIUNI ŞI SUBACŢIUNI')).toEqual(['action']);
    expect(headerFields('Acțiune de îmbunătățire')).toEqual(['action']);
    expect(headerFields('Termen limită')).toEqual(['deadline']);
    expect(headerFields('Nr. ord.')).toEqual(['number']);
    expect(headerFields('Nr.or')).toEqual(['number']);
    expect(headerFields('Denumire')).toEqual(['action']);
    expect(headerFields('Descriere')).toEqual(['action']);
  });

  it('reads `Criteriul 6 - ...`, `1.1 Title` without colon and `2) ...` numbering', () => {
    const plan = readPlan(
      table(
        ['Criteriul 6 - Rezultate orientate către cetățean'],
        ['6.1 Indicatori privind percepția'],
        ['1) Sondaj', 'Raport', 'SIC', 'Trim. 3 2023', null, 'Resurse umane'],
        ['2)Registru', 'Registru', 'SIC', 'Permanent', null, 'Resurse umane'],
      ),
    );
    expect(plan.criteria).toEqual([{ code: '6', title: 'Rezultate orientate către cetățean', row: 3 }]);
    expect(plan.subcriteria).toEqual([{ code: '6.1', criterion: '6', title: 'Indicatori privind percepția', row: 4 }]);
    expect(plan.actions.map((a) => a.id)).toEqual(['6.1.1', '6.1.2']);
  });

  it('keeps a deadline that is a number (an Excel date) as the number', () => {
    const plan = readPlan(table(['1.1: Liderii'], ['1. Ceva', 'Rezultat', 'SIC', 45107, null, null]));
    expect(plan.actions[0]!.values.deadline).toBe(45107);
    expect(plan.actions[0]!.text.deadline).toBe('45107');
  });

  it('records an empty or malformed id from the id column, so validation can report it', () => {
    const grid = book(
      sheet([
        [...HEADER, 'ID'],
        ['1.1: Liderii'],
        ['1. Primul', 'R', 'SIC', '2023', null, null, '1.1.1'],
        ['2. Al doilea', 'R', 'SIC', '2023', null, null, null],
        ['3. Al treilea', 'R', 'SIC', '2023', null, null, '1.1.x'],
      ]),
    );
    const plan = readPlan(grid);
    expect(plan.actions.map((a) => [a.id, a.idFromColumn])).toEqual([
      ['1.1.1', true],
      ['', true],
      ['1.1.x', true],
    ]);
  });

  it('treats a `Nr.` column of plain numbers as numbering, not as ids', () => {
    const plan = readPlan(
      book(
        sheet([
          ['Nr.', ...HEADER],
          ['1.1', 'Liderii stabilesc direcția'],
          [1, 'Comunicarea', 'R', 'SIC', '2023'],
          [2, 'Sesiuni', 'R', 'SIC', '2023'],
        ]),
      ),
    );
    expect(plan.subcriteria.map((s) => [s.code, s.title])).toEqual([['1.1', 'Liderii stabilesc direcția']]);
    expect(plan.actions.map((a) => [a.id, a.number])).toEqual([
      ['1.1.1', 1],
      ['1.1.2', 2],
    ]);
  });

  it('does not glue free text between tables or after a far gap to the action above', () => {
    const plan = readPlan(
      table(
        ['1.1: Liderii'],
        ['1. Primul', 'R', 'SIC', '2023', null, null],
        ['continuare a primei acțiuni'],
        [],
        [],
        [],
        ['pagina 2 din 5'],
        ['2. Al doilea', 'R', 'SIC', '2023', null, null],
        [],
        ['UNIUNEA EUROPEANĂ'],
        ['3. Al treilea', 'R', 'SIC', '2023', null, null],
      ),
    );
    expect(plan.actions.map((a) => a.text.action)).toEqual([
      '1. Primul\ncontinuare a primei acțiuni',
      '2. Al doilea',
      '3. Al treilea',
    ]);
  });

  it('appends a page-split row to each column of the action above, and takes an unnumbered full row as an action', () => {
    const plan = readPlan(
      table(
        ['1.1: Liderii'],
        ['1. Primul', 'Raport', 'SIC', '2023', null, null],
        [null, 'și anexe', null, null, 'în lucru', null],
        ['Acțiune fără număr', 'R', 'SIC', '2023', null, null],
      ),
    );
    expect(plan.actions.map((a) => [a.id, a.number, a.text.result])).toEqual([
      ['1.1.1', 1, 'Raport\nși anexe'],
      ['', null, 'R'],
    ]);
    expect(plan.actions[0]!.text.monitoring).toBe('în lucru');
  });

  it('reads a legend on its own sheet, in one cell or as code and name columns', () => {
    const plan = readPlan(
      book(
        sheet([HEADER, ['1.1: L'], ['1. A', 'R', 'SIC', '2023']]),
        sheet(
          [
            ['Cod', 'Denumire'],
            ['SIC', 'Serviciul Imagine și Cultură'],
            ['DI', 'Direcția Investiții;'],
          ],
          'Legendă',
        ),
        sheet([['Legendă: CL - Consiliul Local; SMI - Serviciul Management Informatic']], 'Note'),
      ),
    );
    expect(plan.units).toEqual([
      { code: 'SIC', name: 'Serviciul Imagine și Cultură' },
      { code: 'DI', name: 'Direcția Investiții' },
      { code: 'CL', name: 'Consiliul Local' },
      { code: 'SMI', name: 'Serviciul Management Informatic' },
    ]);
  });

  it('reports a sheet without a header row and bad metadata as findings', () => {
    const plan = readPlan(
      book(sheet([['Ceva'], ['1. Altceva', 'x']]), {
        name: META_SHEET,
        state: 'veryHidden',
        rows: [
          ['planId', ''],
          ['revision', 'trei'],
        ],
        merges: [],
      }),
    );
    expect(plan.actions).toEqual([]);
    expect(plan.meta).toBeNull();
    expect(plan.findings.map((f) => [f.rule, f.severity])).toEqual([
      ['no-header', 'error'],
      ['meta-invalid', 'error'],
    ]);
    expect(plan.findings[1]!.message.en).toMatch(/revision/);
  });

  it('reports a cell over 32,767 characters with its address', () => {
    const plan = readPlan(table(['1.1: L'], ['1. A', 'x'.repeat(40_000), 'SIC', '2023']));
    expect(plan.findings).toEqual([
      expect.objectContaining({ rule: 'cell-too-long', severity: 'error', cell: 'B5', sheet: 'Plan' }),
    ]);
  });
});

describe('readPlan never throws and stays fast', () => {
  const cell = fc.oneof(
    fc.constant(null),
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constantFrom('1. A', '1.1: B', 'CRITERIUL 3: X', 'Legendă:', 'SIC - S', '--', ...HEADER, 'ID', 'Stare', 'Nr.'),
  );
  it('on random grids of random cell values', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            name: fc.oneof(fc.string(), fc.constant(META_SHEET), fc.constant('Legendă')),
            rows: fc.array(fc.array(cell, { maxLength: 9 }), { maxLength: 40 }),
          }),
          { maxLength: 3 },
        ),
        (sheets) => {
          const plan = readPlan({ sheets: sheets.map((s) => ({ ...s, state: 'visible' as const, merges: [] })) });
          expect(Array.isArray(plan.findings)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
    // Not even on shapes the types forbid (a host bug must not take the service down).
    expect(() =>
      readPlan({
        sheets: [{ name: 'x', state: 'visible', rows: [undefined, 3, [undefined]], merges: [] }],
      } as unknown as WorkbookGrid),
    ).not.toThrow();
    expect(() => readPlan(null as unknown as WorkbookGrid)).not.toThrow();
  });

  it('reads 50,000 actions in well under a second', () => {
    const rows: CellValue[][] = [HEADER];
    let n = 0;
    for (let c = 1; c <= 9 && n < 50_000; c = (c % 9) + 1) {
      rows.push([`CRITERIUL ${c}: X`]);
      for (let s = 1; s <= 4; s++) {
        rows.push([`${c}.${s}: Subcriteriu`, null, null, null, null, null]);
        for (let k = 1; k <= 50; k++, n++) {
          rows.push([
            `${k}. Acțiunea ${n} cu un text de lungime obișnuită pentru un plan`,
            'Rezultat',
            'SIC, DMRU',
            'SEM. II 2023',
            null,
            'Resurse umane; de timp',
          ]);
          if (k % 10 === 0) rows.push([], ['UNIUNEA EUROPEANĂ'], HEADER);
        }
      }
      if (n >= 50_000) break;
    }
    const grid = book(sheet(rows));
    // CPU time, best of three: the wall clock of a shared 2-core machine measures the neighbours, not the reader.
    let best = Infinity;
    let plan = readPlan(grid);
    for (let i = 0; i < 3; i++) {
      const before = process.cpuUsage();
      plan = readPlan(grid);
      const used = process.cpuUsage(before);
      best = Math.min(best, (used.user + used.system) / 1000);
    }
    expect(plan.actions.length).toBe(50_000);
    expect(best).toBeLessThan(500);
  });
});

describe('readPlan: documents around the table', () => {
  it('takes only the last criterion above the header (an introduction may list them all)', () => {
    const plan = readPlan(
      book(
        sheet([
          ['Criteriul 1 - Leadership'],
          ['Criteriul 2 - Strategie și planificare'],
          ['CRITERIUL 2: STRATEGIE ȘI PLANIFICARE'],
          HEADER,
          ['2.1: Nevoi'],
          ['1. A', 'R', 'SIC', '2023'],
        ]),
      ),
    );
    expect(plan.criteria).toEqual([{ code: '2', title: 'STRATEGIE ȘI PLANIFICARE', row: 2 }]);
  });

  it('continues an action split by a page break below the repeated header', () => {
    const plan = readPlan(
      book(
        sheet([
          HEADER,
          ['1.1: L'],
          ['1. Organizarea unor sesiuni', 'R', 'SIC', '2023'],
          HEADER,
          ['de informare pentru angajați'],
          ['2. B', 'R', 'SIC', '2023'],
        ]),
      ),
    );
    expect(plan.actions.map((a) => [a.id, a.text.action, a.continuationRows])).toEqual([
      ['1.1.1', '1. Organizarea unor sesiuni\nde informare pentru angajați', [4]],
      ['1.1.2', '2. B', []],
    ]);
  });

  it('reads every visible sheet with a header as one plan, and a hidden plan sheet is an error naming it', () => {
    const hidden = sheet([HEADER, ['3.1: O'], ['1. C', 'R', 'SIC', '2023']], 'Vechi');
    hidden.state = 'hidden';
    const plan = readPlan(
      book(
        sheet([['Cuprins']], 'Cuprins'),
        sheet([HEADER, ['1.1: L'], ['1. A', 'R', 'SIC', '2023']], 'Criteriul 1'),
        sheet([HEADER, ['2.1: N'], ['1. B', 'R', 'SIC', '2023']], 'Criteriul 2'),
        hidden,
      ),
    );
    expect(plan.sheet).toBe('Criteriul 1');
    expect(plan.actions.map((a) => [a.id, a.sheet])).toEqual([
      ['1.1.1', undefined],
      ['2.1.1', 'Criteriul 2'],
    ]);
    expect(plan.moreSheets?.map((s) => s.sheet)).toEqual(['Criteriul 2']);
    expect(plan.findings.map((f) => [f.rule, f.severity, f.sheet])).toEqual([['plan-sheet-unread', 'error', 'Vechi']]);
  });
});
