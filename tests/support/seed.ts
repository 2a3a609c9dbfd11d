// The seed plan (72 measures of Sector 1) as a grid, the way a user who pasted it into Excel without merges has it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CellValue, WorkbookGrid } from '../../plan/model';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const seedTextPath = path.join(repoRoot, 'samples/plan-masuri-caf-sector1-2022.txt');
export const sampleXlsxPath = path.join(repoRoot, 'samples/plan-sector1.xlsx');

/** The 28 CAF 2020 subcriteria the seed covers, in order, written out (../shared/CAF2020.md), not read by our code. */
export const SEED_SUBCRITERIA = [
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

export function seedRows(): CellValue[][] {
  const text = readFileSync(seedTextPath, 'utf8');
  return text.split(/\r?\n/).map((line) => line.split('\t').map((cell) => (cell === '' ? null : cell)));
}

export function seedGrid(): WorkbookGrid {
  return { sheets: [{ name: 'Plan', state: 'visible', rows: seedRows(), merges: [] }] };
}
