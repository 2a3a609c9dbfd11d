// What the pane remembers between openings: language, the "due soon" window, and the last filter choice.
// Kept in the browser's localStorage (per user and machine); parsed with zod because anything may be in there,
// and a broken or old entry must fall back to defaults, never break the pane.
import { z } from 'zod';
import { CRITERIA } from '../../plan/caf';
import { DEADLINE_STATES, DEFAULT_SOON_DAYS, MAX_SOON_DAYS, type DeadlineState } from '../../plan/state';

const stateCodes = DEADLINE_STATES.map((s) => s.code) as [DeadlineState, ...DeadlineState[]];
const criterionCodes = CRITERIA.map((c) => c.code) as [string, ...string[]];

export const FilterChoice = z.object({
  /** Several of each: the rows of any chosen unit, in any chosen criterion, in any chosen state. */
  units: z.array(z.string().min(1).max(40)).max(200),
  criteria: z.array(z.enum(criterionCodes)).max(criterionCodes.length),
  states: z.array(z.enum(stateCodes)).max(stateCodes.length),
  /** Whether the choice was applied when the pane was last used (then the pane re-applies it on opening). */
  applied: z.boolean(),
});
export type FilterChoice = z.infer<typeof FilterChoice>;

export const EMPTY_FILTER: FilterChoice = { units: [], criteria: [], states: [], applied: false };

export const Settings = z.object({
  lang: z.enum(['ro', 'en']).catch('ro'),
  soonDays: z.number().int().min(0).max(MAX_SOON_DAYS).catch(DEFAULT_SOON_DAYS),
  filter: FilterChoice.catch(EMPTY_FILTER),
});
export type Settings = z.infer<typeof Settings>;

export const DEFAULT_SETTINGS: Settings = { lang: 'ro', soonDays: DEFAULT_SOON_DAYS, filter: EMPTY_FILTER };

/** The part of `Storage` the pane uses, so tests pass a Map-backed store. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export const SETTINGS_KEY = 'caf-plan.taskpane.v1';

export function loadSettings(store: KeyValueStore | null, key = SETTINGS_KEY): Settings {
  if (!store) return DEFAULT_SETTINGS;
  let raw: string | null;
  try {
    raw = store.getItem(key);
  } catch {
    return DEFAULT_SETTINGS; // storage disabled by policy: the pane still works, it just forgets
  }
  if (raw === null) return DEFAULT_SETTINGS;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return DEFAULT_SETTINGS;
  }
  const parsed = Settings.safeParse(json);
  return parsed.success ? parsed.data : DEFAULT_SETTINGS;
}

export function saveSettings(store: KeyValueStore | null, settings: Settings, key = SETTINGS_KEY): void {
  if (!store) return;
  try {
    store.setItem(key, JSON.stringify(settings));
  } catch {
    // Quota or policy: remembering is a convenience, not worth an error message.
  }
}

/** The "days before due" field as typed: a whole number in range, or null. */
export function parseSoonDays(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,3}$/.test(trimmed)) return null;
  const n = Number(trimmed);
  return n <= MAX_SOON_DAYS ? n : null;
}

/** Remembered units that are not in this workbook's legend are dropped rather than shown as ghost options. */
export function reconcileFilter(choice: FilterChoice, unitCodes: readonly string[]): FilterChoice {
  if (unitCodes.length === 0) return choice;
  const units = choice.units.filter((u) => unitCodes.includes(u));
  return units.length === choice.units.length ? choice : { ...choice, units };
}

export function isEmptyFilter(choice: FilterChoice): boolean {
  return choice.units.length === 0 && choice.criteria.length === 0 && choice.states.length === 0;
}
