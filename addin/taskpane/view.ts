// What the pane shows, derived from the plan as plain data: finding groups, the legend of deadline states, unit
// options, the summary table. No DOM, no Office: tested in Node, rendered by render.ts.
import { parseAddress } from '../../plan/address';
import { CRITERIA } from '../../plan/caf';
import { STATE_PALETTE, type PlanSummary } from '../../plan/highlight';
import type { Bilingual, Finding, Plan, Severity } from '../../plan/model';
import { DEADLINE_STATES, type DeadlineState } from '../../plan/state';
import type { Lang } from '../i18n';

export interface FindingGroup {
  severity: Severity;
  count: number;
  findings: Finding[];
  /** Identical findings (same rule, same words once the action is left out) as one line each, in sheet order. */
  lines: FindingLine[];
}

export interface FindingLine {
  rule: string;
  /** The message without the action it names: the line stands for every row listed. */
  text: Bilingual;
  findings: Finding[];
}

const SEVERITY_ORDER: readonly Severity[] = ['error', 'warning'];
/** `Acțiunea 1.1.1: `, `Action 1.1.1: `, `Acțiunea de pe rândul 12: `: the part that differs between identical findings. */
const ACTION_PREFIX = /^(?:Acțiunea de pe rândul \d+|The action on row \d+|Acțiunea \S+|Action \S+): /u;

function withoutAction(text: string): string {
  const rest = text.replace(ACTION_PREFIX, '');
  return rest === text ? text : rest.charAt(0).toLocaleUpperCase() + rest.slice(1);
}

/** Findings by severity, errors first, each group in sheet order (row, then column); empty groups are left out. */
export function groupFindings(findings: readonly Finding[]): FindingGroup[] {
  return SEVERITY_ORDER.map((severity) => {
    const inGroup = findings.filter((f) => f.severity === severity).sort(bySheetPosition);
    const lines = new Map<string, FindingLine>();
    for (const f of inGroup) {
      const text = { ro: withoutAction(f.message.ro), en: withoutAction(f.message.en) };
      const key = `${f.rule}\u0000${text.ro}`;
      const line = lines.get(key);
      if (line) line.findings.push(f);
      else lines.set(key, { rule: f.rule, text, findings: [f] });
    }
    return { severity, count: inGroup.length, findings: inGroup, lines: [...lines.values()] };
  }).filter((g) => g.count > 0);
}

/** The sheet rows (1-based, as Excel shows them) of a line's findings, in order, each once. */
export function lineRows(line: FindingLine): number[] {
  const rows = line.findings.map((f) => (f.cell ? parseAddress(f.cell)?.row : undefined));
  return [...new Set(rows.filter((r): r is number => r !== undefined))].map((r) => r + 1);
}

function position(f: Finding): [number, number] {
  // Workbook-wide findings (no header, no legend) come first: they explain the rest.
  const at = f.cell ? parseAddress(f.cell) : null;
  return at ? [at.row, at.col] : [-1, -1];
}

function bySheetPosition(a: Finding, b: Finding): number {
  const [ra, ca] = position(a);
  const [rb, cb] = position(b);
  return ra - rb || ca - cb;
}

export interface LegendEntry {
  state: DeadlineState;
  label: string;
  fill: string;
  font: string;
  count: number | null;
}

/** One line per deadline state, in the order of DEADLINE_STATES, with the colour Excel paints and the count. */
export function legendEntries(byState: Record<DeadlineState, number> | null, lang: Lang): LegendEntry[] {
  return DEADLINE_STATES.map((s) => {
    // on-track keeps the sheet's own formatting: shown as a white swatch.
    const palette = s.code === 'on-track' ? { fill: '#FFFFFF', font: '#1F1F1F' } : STATE_PALETTE[s.code];
    return {
      state: s.code,
      label: s[lang],
      fill: palette.fill,
      font: palette.font,
      count: byState ? byState[s.code] : null,
    };
  });
}

export interface Option {
  value: string;
  label: string;
}

/** The units of the legend for the unit filter, by code. */
export function unitOptions(plan: Plan | null): Option[] {
  if (!plan) return [];
  return [...plan.units]
    .sort((a, b) => a.code.localeCompare(b.code, 'ro'))
    .map((u) => ({ value: u.code, label: `${u.code} – ${u.name}` }));
}

export function criterionOptions(lang: Lang): Option[] {
  return CRITERIA.map((c) => ({ value: c.code, label: `${c.code}. ${c[lang]}` }));
}

export function stateOptions(lang: Lang): Option[] {
  return DEADLINE_STATES.map((s) => ({ value: s.code, label: s[lang] }));
}

export interface SummaryRow {
  /** null for the whole-plan row. */
  unit: string | null;
  unitName: string;
  total: number;
  byState: Record<DeadlineState, number>;
}

/** The summary table: the whole plan first, then each unit of the legend by code (units with no action included, so a unit missing from the plan shows). */
export function summaryRows(summary: PlanSummary, plan: Plan): SummaryRow[] {
  const names = new Map(plan.units.map((u) => [u.code, u.name]));
  const units = Object.keys(summary.byUnit).sort((a, b) => a.localeCompare(b, 'ro'));
  return [
    { unit: null, unitName: '', total: summary.total, byState: summary.byState },
    ...units.map((code) => ({
      unit: code,
      unitName: names.get(code) ?? '',
      total: summary.byUnit[code]!.total,
      byState: summary.byUnit[code]!.byState,
    })),
  ];
}

/** Today as a LocalDate in the user's time zone (the city hall's day, not UTC's). */
export function localToday(now: Date = new Date()): string {
  const y = now.getFullYear();
  const m = String(now.getMonth() + 1).padStart(2, '0');
  const d = String(now.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}
