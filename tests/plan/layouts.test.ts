// Twelve layouts other Romanian public bodies use (tests/fixtures/layouts/make_layouts.py, sources there), each
// holding the seed's 72 measures: every one must read whole, with the seed's ids, criteria, subcriteria, due dates
// and owners. Expected values come from the literal tables below and seed-actions.json (read from the seed text by
// its own Python parser), never from the reader.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deadlineDue, parseDeadline } from '../../plan/deadline';
import { readPlan } from '../../plan/grid';
import type { Plan } from '../../plan/model';
import { validatePlan } from '../../plan/validate';
import { readWorkbookFile } from '../../service/xlsx/read';
import { layoutGrid } from '../../bench/layout-grids';
import { SEED_SUBCRITERIA } from '../support/seed';
import { LAYOUT_DIR, SEED_DUE, VARIANTS, seed } from '../support/layouts';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
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
      expect(plan.subcriteria.map((s) => s.code)).toEqual(SEED_SUBCRITERIA);
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

describe('reading stays fast in other layouts', () => {
  // Today's budget (tests/plan/grid.test.ts): 50,000 actions in under 500 ms of CPU. Today's layout is measured in
  // the same test, interleaved, so that a loaded machine slows both alike: another layout may not cost more than
  // the budget, or half as much again as today's layout on the same machine at the same moment.
  const cpu = (grid: ReturnType<typeof layoutGrid>): number => {
    const before = process.cpuUsage();
    readPlan(grid);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000;
  };
  for (const kind of ['running-numbers', 'level-column'] as const) {
    it(`reads 50,000 actions with ${kind} within the budget of today's layout`, () => {
      const grid = layoutGrid(kind, 50_000);
      const today = layoutGrid('today', 50_000);
      const plan = readPlan(grid);
      readPlan(today);
      let best = Infinity;
      let bestToday = Infinity;
      for (let i = 0; i < 3; i++) {
        bestToday = Math.min(bestToday, cpu(today));
        best = Math.min(best, cpu(grid));
      }
      expect(plan.actions).toHaveLength(50_000);
      expect(plan.actions[0]!.id).toBe('1.1.1');
      expect(plan.actions[250]!.id).toBe('2.2.1');
      expect(best).toBeLessThan(Math.max(500, 1.5 * bestToday));
    });
  }
});
