// The seed plan (72 measures of Sector 1) as a grid, the way a user who pasted it into Excel without merges has it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CellValue, WorkbookGrid } from '../../plan/model';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const seedTextPath = path.join(repoRoot, 'samples/plan-masuri-caf-sector1-2022.txt');
export const sampleXlsxPath = path.join(repoRoot, 'samples/plan-sector1.xlsx');

export function seedRows(): CellValue[][] {
  const text = readFileSync(seedTextPath, 'utf8');
  return text.split(/\r?\n/).map((line) => line.split('\t').map((cell) => (cell === '' ? null : cell)));
}

export function seedGrid(): WorkbookGrid {
  return { sheets: [{ name: 'Plan', state: 'visible', rows: seedRows(), merges: [] }] };
}
