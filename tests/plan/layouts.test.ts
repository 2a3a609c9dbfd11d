// Twelve layouts other Romanian public bodies use (tests/fixtures/layouts/make_layouts.py, sources there), each
// holding the seed's 72 measures: every one must read whole, with the seed's ids, criteria, subcriteria, due dates
// and owners. Expected values come from the literal tables below and seed-actions.json (read from the seed text by
// its own Python parser), never from the reader.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deadlineDue, parseDeadline } from '../../plan/deadline';
import { readPlan } from '../../plan/grid';
import type { Plan } from '../../plan/model';
import { validatePlan } from '../../plan/validate';
import { readWorkbookFile } from '../../service/xlsx/read';
import { repoRoot } from '../support/seed';

export const LAYOUT_DIR = path.join(repoRoot, 'tests/fixtures/layouts');
interface SeedAction {
  id: string;
  criterion: string;
  subcriterion: string;
  owners: string;
  deadline: string;
  resources: string;
}
const seed = JSON.parse(readFileSync(path.join(LAYOUT_DIR, 'seed-actions.json'), 'utf8')) as {
  actions: SeedAction[];
};

// The seed's deadlines and their due dates, by hand (SPEC 3: the last day of the period).
const SEED_DUE: Record<string, string | null> = {
  'SEM. I 2023': '2023-06-30',
  'SEM.I 2023': '2023-06-30',
  'SEM. II 2023': '2023-12-31',
  'SEM.II 2023': '2023-12-31',
  'SEM. II. 2023': '2023-12-31',
  'SEM. II 2022': '2022-12-31',
  'SEM.II 2022': '2022-12-31',
  'SEM. II. 2022': '2022-12-31',
  Permanent: null,
};

interface Variant {
  file: string;
  /** Field -> [column letter, header text] the reader must show. */
  mapping: Record<string, [string, string]>;
  /** Due dates that differ from the seed's (the layout writes a day). */
  due?: (a: SeedAction) => string | null;
  sheets?: string[];
}

const CODE_2022 = (a: SeedAction): string | null =>
  /2022/.test(a.deadline) ? '2022-12-16' : (SEED_DUE[a.deadline] ?? null);

export const VARIANTS: Variant[] = [
  {
    file: '01-ministry-running-numbers.xlsx',
    mapping: {
      number: ['A', 'Nr. crt.'],
      action: ['B', 'Acțiune de îmbunătățire'],
      result: ['C', 'Indicatori de performanță'],
      owners: ['D', 'RESPONSABIL (subdiviziune / funcționar public)'],
      deadline: ['E', 'Termen limită'],
    },
  },
  {
    file: '02-full-code-first-cell.xlsx',
    mapping: { action: ['A', 'DENUMIRE ACTIVITATE'], owners: ['C', 'RESPONSABILI'], deadline: ['D', 'Termen'] },
  },
  {
    file: '03-code-column.xlsx',
    mapping: {
      number: ['A', 'Nr. ord.'],
      action: ['B', 'Descriere'],
      result: ['C', 'Indicatori calitativi'],
      deadline: ['E', 'Termen de realizare'],
    },
  },
  {
    file: '04-level-column.xlsx',
    mapping: { level: ['A', 'Nivel'], action: ['B', 'Denumire'], deadline: ['E', 'Termen'] },
  },
  {
    file: '05-criterion-columns.xlsx',
    mapping: { criterion: ['A', 'Criteriu'], subcriterion: ['B', 'Subcriteriu'], action: ['C', 'Acțiuni'] },
  },
  {
    file: '06-numbers-restart.xlsx',
    mapping: { number: ['A', 'Nr.or'], action: ['B', 'ACŢIUNI ŞI SUBACŢIUNI'], deadline: ['E', 'Termen'] },
  },
  {
    file: '07-period-year.xlsx',
    mapping: { action: ['B', 'Măsura'], deadline: ['E', 'Termen (trimestrul)'], year: ['F', 'Anul'] },
  },
  {
    file: '08-two-header-rows.xlsx',
    mapping: { action: ['B', 'Activitate'], deadline: ['E', 'Luna'], year: ['F', 'Anul'] },
  },
  {
    file: '09-owners-resources.xlsx',
    mapping: { owners: ['C', 'RESPONSABILI / RESURSE'], resources: ['C', 'RESPONSABILI / RESURSE'] },
  },
  {
    file: '10-sheet-per-criterion.xlsx',
    mapping: { action: ['A', 'Acțiuni necesare'], owners: ['C', 'Responsabil pentru îndeplinirea acțiunilor'] },
    due: CODE_2022,
    sheets: [
      'Criteriul 1',
      'Criteriul 2',
      'Criteriul 3',
      'Criteriul 4',
      'Criteriul 5',
      'Criteriul 6',
      'Criteriul 7',
      'Criteriul 8',
      'Criteriul 9',
    ],
  },
  {
    file: '11-county-council.xlsx',
    mapping: { action: ['B', 'Măsuri'], resources: ['F', 'Buget'], status: ['G', 'Stadiu realizare'] },
  },
  {
    file: '12-pnrr-annex.xlsx',
    mapping: { id: ['A', 'Cod'], action: ['B', 'Acțiune'], deadline: ['E', 'Termen limită'] },
    sheets: ['Plan', 'Anexa'],
  },
];

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const SUBCRITERIA = [
  '1.1',
  '1.2',
  '1.3',
  '1.4',
  '2.1',
  '2.2',
  '2.3',
  '2.4',
  '3.1',
  '3.2',
  '3.3',
  '4.1',
  '4.2',
  '4.3',
  '4.4',
  '4.5',
  '4.6',
  '5.1',
  '5.2',
  '5.3',
  '6.1',
  '6.2',
  '7.1',
  '7.2',
  '8.1',
  '8.2',
  '9.1',
  '9.2',
];
// The cells where the seed misspells CSDDPP, by action id.
const MISSPELT = ['1.1.1', '2.2.1', '2.2.2', '2.2.3', '4.5.2', '8.1.1', '8.2.1', '8.2.2', '9.1.2'];

export async function readLayout(file: string): Promise<Plan> {
  return readPlan(await readWorkbookFile(path.join(LAYOUT_DIR, file)));
}

describe('layouts of other institutions, each with the seed’s 72 measures', () => {
  it('has the seed table the layouts are made from: 72 measures, 9 misspelt owner cells', () => {
    expect(seed.actions).toHaveLength(72);
    expect(seed.actions.filter((a) => /CSDPPP|CSDDDP/.test(a.owners)).map((a) => a.id)).toEqual(MISSPELT);
  });

  for (const variant of VARIANTS) {
    it(`reads ${variant.file} whole`, async () => {
      const plan = await readLayout(variant.file);
      expect(plan.actions).toHaveLength(72);
      expect(plan.actions.map((a) => a.id)).toEqual(seed.actions.map((a) => a.id));
      expect(plan.actions.map((a) => a.subcriterion)).toEqual(seed.actions.map((a) => a.subcriterion));
      expect(plan.actions.map((a) => a.criterion)).toEqual(seed.actions.map((a) => a.criterion));
      expect(plan.subcriteria.map((s) => s.code)).toEqual(SUBCRITERIA);
      expect(plan.criteria.map((c) => c.code)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
      const due = plan.actions.map((a) => deadlineDue(parseDeadline(a.values.deadline ?? a.text.deadline)));
      expect(due).toEqual(seed.actions.map((a) => (variant.due ? variant.due(a) : (SEED_DUE[a.deadline] ?? null))));
      for (const a of plan.actions)
        expect(parseDeadline(a.values.deadline ?? a.text.deadline).kind).not.toBe('invalid');

      const findings = validatePlan(plan, { today: '2023-01-10' });
      expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(findings.map((f) => [f.rule, f.rowId])).toEqual(MISSPELT.map((id) => ['owner-unknown', id]));
      for (const f of findings) expect(f.message.en).toMatch(/„(CSDPPP|CSDDDP)”.*Did you mean CSDDPP\?/);

      const shown = { ...plan.columns, ...plan.layoutColumns };
      for (const [field, [letter, header]] of Object.entries(variant.mapping)) {
        expect([field, LETTERS[shown[field as keyof typeof shown]!]]).toEqual([field, letter]);
        expect([field, plan.headers?.[field as keyof typeof shown]]).toEqual([field, header]);
      }
      expect([plan.sheet, ...(plan.moreSheets ?? []).map((s) => s.sheet)]).toEqual(variant.sheets ?? [plan.sheet]);
    });
  }

  it('splits one `Responsabili / Resurse` cell by the vocabularies', async () => {
    const plan = await readLayout('09-owners-resources.xlsx');
    const first = plan.actions[0]!;
    expect([first.text.owners, first.text.resources]).toEqual([seed.actions[0]!.owners, seed.actions[0]!.resources]);
  });

  it('keeps the team’s running numbers in the sheet and builds ids from the rank in the subcriterion', async () => {
    const plan = await readLayout('01-ministry-running-numbers.xlsx');
    const a = plan.actions.find((x) => x.id === '1.2.1')!;
    expect(a.values.id).toBeUndefined();
    expect(a.number).toBe(1);
  });
});
