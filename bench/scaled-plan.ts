// Plans at city-hall scale for the benchmarks, built from the real seed: its action rows repeated (renumbered
// within their subcriterion) and, for a 20-department city hall, eight more units co-owning the repeated rows.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Unit } from '../plan/model';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// The seed has 12 units; a city hall that runs 20 departments adds these, co-owning the replicated rows.
export const EXTRA_UNITS: Unit[] = [
  { code: 'DAC', name: 'Direcția Achiziții și Contracte' },
  { code: 'DAS', name: 'Direcția Asistență Socială' },
  { code: 'DEP', name: 'Direcția Evidența Persoanelor' },
  { code: 'DPC', name: 'Direcția Patrimoniu și Cadastru' },
  { code: 'DRP', name: 'Direcția Relații cu Publicul' },
  { code: 'DSU', name: 'Direcția Situații de Urgență' },
  { code: 'DUA', name: 'Direcția Urbanism și Amenajarea Teritoriului' },
  { code: 'SAI', name: 'Serviciul Audit Intern' },
];

// A deterministic PRNG (mulberry32): the same copies on every run and machine.
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The seed (tab-separated, as from Word) with each action row repeated, renumbered within its subcriterion, until
 * the plan has `actions` actions. With `extraUnits`, every repeat after the first names one of EXTRA_UNITS among
 * its owners, and the legend lists them.
 */
export function scaledSeed(actions: number, options: { extraUnits?: boolean } = {}): string {
  const lines = readFileSync(path.join(root, 'samples/plan-masuri-caf-sector1-2022.txt'), 'utf8').split(/\r?\n/);
  const start = lines.findIndex((l) => /^CRITERIUL 1\b/.test(l));
  const isSubcriterion = (line: string): boolean => /^\d\.\d:/.test(line.trim());
  const isAction = (line: string): boolean =>
    !isSubcriterion(line) && line.includes('\t') && /^\s*\d+\s*[.)]/.test(line.split('\t')[0] ?? '');
  const seedActions = lines.slice(start).filter(isAction).length;
  const out = lines.slice(0, start);
  let index = 0;
  let number = 0;
  for (const line of lines.slice(start)) {
    if (isSubcriterion(line)) number = 0;
    if (!isAction(line)) {
      out.push(line);
      if (options.extraUnits && /^\s*STLSA - /.test(line))
        for (const unit of EXTRA_UNITS) out.push(` ${unit.code} - ${unit.name};`);
      continue;
    }
    const copies = Math.floor(((index + 1) * actions) / seedActions) - Math.floor((index * actions) / seedActions);
    index++;
    const [first, ...rest] = line.split('\t');
    const text = first!.replace(/^\s*\d+\s*[.)]\s*/, '');
    for (let c = 0; c < copies; c++) {
      const cells = [...rest];
      if (options.extraUnits && c > 0) cells[1] = `${cells[1]}, ${EXTRA_UNITS[(c + index) % EXTRA_UNITS.length]!.code}`;
      out.push([`${++number}. ${text}`, ...cells].join('\t'));
    }
  }
  return out.join('\n');
}
