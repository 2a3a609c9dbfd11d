import { describe, expect, it } from 'vitest';
import { CRITERIA, findCriterion, findSubcriterion, SUBCRITERIA, titleMatches } from '../../plan/caf';
import { seedRows } from '../support/seed';

describe('the CAF 2020 model', () => {
  it('has 9 criteria and the 28 subcriteria of SPEC 2', () => {
    expect(CRITERIA.map((c) => c.code)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const perCriterion = CRITERIA.map((c) => SUBCRITERIA.filter((s) => s.criterion === c.code).length);
    expect(perCriterion).toEqual([4, 4, 3, 6, 3, 2, 2, 2, 2]);
    expect(SUBCRITERIA).toHaveLength(28);
    for (const s of SUBCRITERIA) {
      expect(s.code.startsWith(`${s.criterion}.`)).toBe(true);
      expect(s.ro).not.toBe('');
      expect(s.en).not.toBe('');
    }
    expect(new Set(SUBCRITERIA.map((s) => s.code)).size).toBe(28);
  });

  it('carries the titles of CAF2020.md', () => {
    expect(findCriterion('3')?.ro).toBe('Managementul personalului');
    expect(findCriterion('3')?.en).toBe('People');
    expect(findSubcriterion('4.6')).toEqual({
      code: '4.6',
      criterion: '4',
      ro: 'Managementul clădirilor și al echipamentelor',
      en: 'Manage facilities',
    });
    expect(findSubcriterion('9.2')?.en).toBe('Internal results: level of efficiency');
  });

  it('finds codes as plans write them and nothing else', () => {
    expect(findCriterion(6)?.code).toBe('6');
    expect(findCriterion(' 6 ')?.code).toBe('6');
    expect(findSubcriterion('2.1.')?.code).toBe('2.1');
    expect(findSubcriterion(3.2)?.code).toBe('3.2');
    expect(findSubcriterion('4,5')?.code).toBe('4.5');
    expect(findCriterion('10')).toBeUndefined();
    expect(findSubcriterion('4.7')).toBeUndefined();
    expect(findSubcriterion('6.3')).toBeUndefined();
    expect(findSubcriterion('1')).toBeUndefined();
  });

  it('matches the seed plan subcriterion titles to the model', () => {
    const titles = seedRows()
      .map((r) => String(r[0] ?? '').trim())
      .map((cell) => /^(\d\.\d)\s*:?\s*(.+)$/.exec(cell))
      .filter((m): m is RegExpExecArray => m !== null && /^[A-ZȘȚĂÎÂ]/.test(m[2]!));
    const codes = new Set(titles.map((m) => m[1]));
    expect(codes.size).toBe(28);
    for (const m of titles) {
      const sub = findSubcriterion(m[1]!);
      expect(sub, m[0]).toBeDefined();
      expect(titleMatches(m[2]!, sub!), m[0]).toBe(true);
    }
  });

  it('tells a different title from a shortened one', () => {
    const s = findSubcriterion('4.3')!;
    expect(titleMatches('Managementul financiar', s)).toBe(true);
    expect(titleMatches('MANAGEMENTUL FINANCIAR.', s)).toBe(true);
    expect(titleMatches('Manage finances', s)).toBe(true);
    expect(titleMatches('Managementul tehnologiei', s)).toBe(false);
    expect(titleMatches('', s)).toBe(false);
  });
});
