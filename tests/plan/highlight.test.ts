// The highlighting data both hosts apply: rules, criteria, the prepared columns and the counts, on the seed plan.
import { describe, expect, it } from 'vitest';
import { readPlan } from '../../plan/grid';
import {
  STATE_PALETTE,
  criterionCriteria,
  highlightRules,
  preparePlanColumns,
  preparedStatus,
  stateCriteria,
  summarizePlan,
  unitCriteria,
} from '../../plan/highlight';
import { deadlineState } from '../../plan/state';
import { seedGrid } from '../support/seed';

const seed = readPlan(seedGrid());
const prepared = preparePlanColumns(seed, 6);

describe('plan/highlight', () => {
  it('writes the rules for the top-left body cell: absolute helper columns, relative rows, done first', () => {
    const rules = highlightRules(prepared.layout, 21);
    const top = prepared.layout.bodyTop + 1;
    expect(rules.map((r) => r.state)).toEqual(['done', 'recurring', 'invalid', 'overdue', 'due-soon']);
    expect(rules.map((r) => r.priority)).toEqual([0, 1, 2, 3, 4]);
    for (const r of rules) {
      expect(r.formula.startsWith('=')).toBe(true);
      for (const ref of r.formula.match(/\$?[A-Z]+\$?\d+/g) ?? []) expect(ref).toBe(`$${ref.slice(1, 2)}${top}`);
      expect(r.fill).toBe(STATE_PALETTE[r.state].fill);
    }
    expect(rules[4]!.formula).toContain('TODAY()+21');
  });

  it('builds AutoFilter criteria that delimit unit codes and id prefixes', () => {
    expect(unitCriteria('DI')).toEqual({ filterOn: 'Custom', criterion1: '=*;DI;*' });
    expect(unitCriteria('A*B')).toEqual({ filterOn: 'Custom', criterion1: '=*;A~*B;*' });
    expect(criterionCriteria('2.3')).toEqual({ filterOn: 'Custom', criterion1: '=2.3.*' });
    expect(stateCriteria('overdue', '2023-07-01')).toEqual({
      dueDate: { filterOn: 'Custom', criterion1: '<45108' },
      status: { filterOn: 'Custom', criterion1: '<>Realizat', criterion2: '<>Anulat', operator: 'And' },
    });
    expect(stateCriteria('done', '2023-07-01')).toEqual({
      status: { filterOn: 'Values', values: ['Realizat', 'Anulat'] },
    });
  });

  it('prepares Stare with canonical labels and fills empty ones', () => {
    expect(preparedStatus('')).toBe('Neînceput');
    expect(preparedStatus('  realizata ')).toBe('Realizat');
    expect(preparedStatus('în curs de realizare')).toBe('În curs');
    expect(preparedStatus('poate')).toBe('poate');
  });

  it('appends the columns right of the table and writes every header row, repeated ones included', () => {
    expect(prepared.columns.map((c) => [c.column, c.col, c.hidden])).toEqual([
      ['id', 6, false],
      ['status', 7, false],
      ['dueDate', 8, true],
      ['ownerCodes', 9, true],
    ]);
    for (const r of [seed.headerRow, ...seed.repeatedHeaderRows])
      expect(prepared.columns.map((c) => c.values[r - seed.headerRow])).toEqual([
        'ID',
        'Stare',
        'Termen calculat',
        'Coduri responsabili',
      ]);
    expect(prepared.actionRuns.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i))).toEqual(
      seed.actions.map((a) => a.row),
    );
  });

  it('counts actions by state for the plan and per unit, multi-owner actions once per unit', () => {
    const summary = summarizePlan(prepared.plan, '2023-07-01');
    expect(Object.values(summary.byState).reduce((a, b) => a + b, 0)).toBe(72);
    expect(summary.byState.overdue).toBe(
      seed.actions.filter((a) => deadlineState(a, '2023-07-01') === 'overdue').length,
    );
    expect(summary.byState.recurring).toBeGreaterThan(3);
    expect(summary.byUnit.DMRU!.total).toBe(seed.actions.filter((a) => /\bDMRU\b/.test(a.text.owners)).length);
    const perUnit = Object.values(summary.byUnit).reduce((n, u) => n + u.total, 0);
    expect(perUnit).toBeGreaterThan(72 - 30); // roles own the rest
    expect(Object.keys(summary.byUnit).sort()).toEqual(seed.units.map((u) => u.code).sort());
  });
});
