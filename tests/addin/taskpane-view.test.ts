// The task pane's own logic on the seed plan, without Office or a browser: what each section would show, what
// the pane remembers, and that every string exists in both languages.
import { describe, expect, it } from 'vitest';
import { STRING_KEYS, formatDate, message, t } from '../../addin/i18n';
import {
  DEFAULT_SETTINGS,
  EMPTY_FILTER,
  loadSettings,
  parseSoonDays,
  reconcileFilter,
  saveSettings,
  type KeyValueStore,
} from '../../addin/taskpane/settings';
import { groupFindings, legendEntries, localToday, summaryRows, unitOptions } from '../../addin/taskpane/view';
import { describeError } from '../../addin/taskpane/controller';
import { CafError } from '../../plan/errors';
import { readPlan } from '../../plan/grid';
import { summarizePlan } from '../../plan/highlight';
import { validatePlan } from '../../plan/validate';
import { seedGrid } from '../support/seed';

const TODAY = '2023-06-01';
const plan = readPlan(seedGrid());
const findings = validatePlan(plan, { today: TODAY });

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

describe('Validate section', () => {
  it('groups the seed findings by severity with a count per group, in sheet order', () => {
    const groups = groupFindings(findings);
    const total = groups.reduce((n, g) => n + g.count, 0);
    expect(total).toBe(findings.length);
    expect(groups.map((g) => g.severity)).toEqual(
      ['error', 'warning'].filter((s) => findings.some((f) => f.severity === s)),
    );
    for (const group of groups) {
      expect(group.findings.every((f) => f.severity === group.severity)).toBe(true);
      const rows = group.findings.map((f) => Number(/\d+$/.exec(f.cell ?? 'A0')![0]));
      expect(rows).toEqual([...rows].sort((a, b) => a - b));
    }
    // The seed's misspelt CSDDPP (CSDPPP, CSDDDP) is a warning that names the right code.
    const csddpp = findings.filter((f) => f.rule === 'owner-unknown' && f.message.ro.includes('CSDDPP'));
    expect(csddpp.length).toBeGreaterThan(0);
    expect(csddpp.every((f) => f.cell && f.rowId)).toBe(true);
  });

  it('puts workbook-wide findings (no cell) before the others', () => {
    const grouped = groupFindings([
      { rule: 'x', severity: 'warning', cell: 'B7', message: { ro: 'b', en: 'b' } },
      { rule: 'no-legend', severity: 'warning', message: { ro: 'a', en: 'a' } },
      { rule: 'y', severity: 'error', cell: 'C3', message: { ro: 'c', en: 'c' } },
    ]);
    expect(grouped.map((g) => [g.severity, g.count])).toEqual([
      ['error', 1],
      ['warning', 2],
    ]);
    expect(grouped[1]!.findings[0]!.rule).toBe('no-legend');
  });
});

describe('Deadlines legend and Summary', () => {
  const summary = summarizePlan(plan, TODAY);

  it('shows each deadline state with its colour and a count, the counts adding up to the 72 actions', () => {
    const entries = legendEntries(summary.byState, 'ro');
    expect(entries.map((e) => e.state)).toEqual(['done', 'overdue', 'due-soon', 'on-track', 'recurring', 'invalid']);
    expect(entries.reduce((n, e) => n + (e.count ?? 0), 0)).toBe(72);
    expect(entries.find((e) => e.state === 'overdue')!.fill).toBe('#FFC7CE');
    expect(entries.find((e) => e.state === 'overdue')!.label).toBe('Termen depășit');
    expect(legendEntries(null, 'en').every((e) => e.count === null)).toBe(true);
  });

  it('lists the whole plan first, then every unit of the legend by code', () => {
    const rows = summaryRows(summary, plan);
    expect(rows[0]!.unit).toBeNull();
    expect(rows[0]!.total).toBe(72);
    const codes = rows.slice(1).map((r) => r.unit);
    expect(codes).toEqual(plan.units.map((u) => u.code).sort((a, b) => a.localeCompare(b, 'ro')));
    const dmru = rows.find((r) => r.unit === 'DMRU')!;
    expect(dmru.unitName).toBe('Direcția Management Resurse Umane');
    expect(Object.values(dmru.byState).reduce((a, b) => a + b, 0)).toBe(dmru.total);
  });

  it('fills the unit filter from the legend units', () => {
    const options = unitOptions(plan);
    expect(options).toHaveLength(12);
    expect(options.find((o) => o.value === 'CSDDPP')!.label).toMatch(/^CSDDPP – Compartimentul de Strategii/);
    expect(unitOptions(null)).toEqual([]);
  });
});

describe('what the pane remembers', () => {
  it('round-trips language, days before due and the last filter choice', () => {
    const store = memoryStore();
    expect(loadSettings(store)).toEqual(DEFAULT_SETTINGS);
    const settings = {
      lang: 'en' as const,
      soonDays: 14,
      filter: { units: ['DMRU', 'SIC'], criteria: ['3'], states: ['overdue' as const, 'done' as const], applied: true },
    };
    saveSettings(store, settings);
    expect(loadSettings(store)).toEqual(settings);
  });

  it('falls back to defaults on garbage, and keeps the good parts of a damaged entry', () => {
    const store = memoryStore();
    store.data.set('caf-plan.taskpane.v1', '{not json');
    expect(loadSettings(store)).toEqual(DEFAULT_SETTINGS);
    store.data.set('caf-plan.taskpane.v1', JSON.stringify({ lang: 'de', soonDays: -3, filter: { unit: 'SIC' } }));
    expect(loadSettings(store)).toEqual({ lang: 'ro', soonDays: 30, filter: EMPTY_FILTER });
    store.data.set('caf-plan.taskpane.v1', JSON.stringify({ lang: 'en', soonDays: 10, filter: 'x' }));
    expect(loadSettings(store)).toEqual({ lang: 'en', soonDays: 10, filter: EMPTY_FILTER });
    const throwing: KeyValueStore = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(loadSettings(throwing)).toEqual(DEFAULT_SETTINGS);
    expect(() => saveSettings(throwing, DEFAULT_SETTINGS)).not.toThrow();
  });

  it('drops a remembered unit that this workbook does not have', () => {
    const choice = { units: ['DAS', 'SIC'], criteria: ['1'], states: [], applied: true };
    expect(reconcileFilter(choice, ['DMRU', 'SIC'])).toEqual({ ...choice, units: ['SIC'] });
    expect(reconcileFilter({ ...choice, units: ['SIC'] }, ['DMRU', 'SIC'])).toEqual({ ...choice, units: ['SIC'] });
  });

  it('accepts only a whole number of days from 0 to 365', () => {
    expect(parseSoonDays(' 30 ')).toBe(30);
    expect(parseSoonDays('0')).toBe(0);
    for (const bad of ['', '-1', '2.5', '366', 'abc', '1e2']) expect(parseSoonDays(bad)).toBeNull();
  });
});

describe('texts', () => {
  it('has every string in Romanian and English, with the same placeholders', () => {
    for (const key of STRING_KEYS) {
      const { ro, en } = message(key);
      expect(ro.trim(), key).not.toBe('');
      expect(en.trim(), key).not.toBe('');
      const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(names(ro), key).toEqual(names(en));
    }
  });

  it('writes numbers and dates the way each language does', () => {
    expect(t('ro', 'filterApplied', { shown: 1234, total: 5000 })).toBe(
      'Filtru aplicat: 1.234 din 5.000 de acțiuni afișate.',
    );
    expect(t('en', 'filterApplied', { shown: 1234, total: 5000 })).toBe(
      'Filter applied: 1,234 of 5,000 actions shown.',
    );
    expect(formatDate('2023-06-30', 'ro')).toBe('30.06.2023');
    expect(formatDate('2023-06-30', 'en')).toBe('30 Jun 2023');
    expect(localToday(new Date(2024, 1, 29, 23, 59))).toBe('2024-02-29');
  });

  it('shows errors as a bilingual message, never a stack trace', () => {
    const mine = new CafError('xlsx-doctype', { ro: 'Fișier refuzat.', en: 'File refused.' });
    expect(describeError(mine)).toEqual({ ro: 'Fișier refuzat.', en: 'File refused.' });
    const office = Object.assign(new Error('The requested resource does not exist.'), { code: 'ItemNotFound' });
    const shown = describeError(office);
    expect(shown.ro).toMatch(/^Excel nu a putut finaliza operația\..*\(ItemNotFound\)$/);
    expect(shown.en).toMatch(/\(ItemNotFound\)$/);
    const bug = describeError(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(bug).toEqual(message('errorUnexpected'));
    expect(JSON.stringify(bug)).not.toMatch(/at |TypeError|undefined/);
  });
});
