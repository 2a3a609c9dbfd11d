// The twelve generated layouts (tests/fixtures/layouts/make_layouts.py) and what each must read as.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './seed';

export const LAYOUT_DIR = path.join(repoRoot, 'tests/fixtures/layouts');
export interface SeedAction {
  id: string;
  criterion: string;
  subcriterion: string;
  owners: string;
  deadline: string;
  resources: string;
}
export const seed = JSON.parse(readFileSync(path.join(LAYOUT_DIR, 'seed-actions.json'), 'utf8')) as {
  actions: SeedAction[];
};

// The seed's deadlines and their due dates, by hand (SPEC 3: the last day of the period).
export const SEED_DUE: Record<string, string | null> = {
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

export interface Variant {
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
