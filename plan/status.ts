// Statuses (`Stare`, SPEC 3): six codes, Romanian labels as written into the workbook, English for the UI.
import { foldKey, normalizeValue } from './text';

export type StatusCode = 'not-started' | 'in-progress' | 'partial' | 'done' | 'postponed' | 'cancelled';

export const STATUSES: readonly { code: StatusCode; ro: string; en: string }[] = [
  { code: 'not-started', ro: 'Neînceput', en: 'Not started' },
  { code: 'in-progress', ro: 'În curs', en: 'In progress' },
  { code: 'partial', ro: 'Parțial realizat', en: 'Partly done' },
  { code: 'done', ro: 'Realizat', en: 'Done' },
  { code: 'postponed', ro: 'Amânat', en: 'Postponed' },
  { code: 'cancelled', ro: 'Anulat', en: 'Cancelled' },
];

export const STATUS_CODES: readonly StatusCode[] = STATUSES.map((s) => s.code);

/**
 * Folded words people write for each status besides the labels (and the English labels and codes, so a value
 * copied from the task pane in English is understood too). Feminine forms: plans say `acțiune realizată`.
 * Decisions: `nerealizat` is not-started (SPEC 3); `finalizat`, `îndeplinit`, `implementat` are done;
 * `reprogramat` is postponed; `renunțat`, `abandonat` are cancelled; a bare `parțial` is partial.
 */
const SYNONYMS: Record<StatusCode, readonly string[]> = {
  'not-started': [
    'neinceput',
    'neinceputa',
    'ne inceput',
    'nerealizat',
    'nerealizata',
    'neinitiat',
    'neinitiata',
    'nu a inceput',
    'nu a fost inceput',
    'nu a fost inceputa',
    'planificat',
    'planificata',
  ],
  'in-progress': [
    'in curs',
    'in curs de realizare',
    'in curs de implementare',
    'in curs de desfasurare',
    'in curs de finalizare',
    'in derulare',
    'in desfasurare',
    'in lucru',
    'in implementare',
    'in progres',
    'inceput',
    'inceputa',
  ],
  partial: [
    'partial realizat',
    'partial realizata',
    'realizat partial',
    'realizata partial',
    'partial',
    'partial indeplinit',
    'partial indeplinita',
    'indeplinit partial',
    'indeplinita partial',
    'partial implementat',
    'partial implementata',
    'implementat partial',
    'implementata partial',
    'partly done',
  ],
  done: [
    'realizat',
    'realizata',
    'realizat integral',
    'realizata integral',
    'realizat complet',
    'realizata complet',
    'finalizat',
    'finalizata',
    'indeplinit',
    'indeplinita',
    'implementat',
    'implementata',
    'complet',
    'completa',
  ],
  postponed: ['amanat', 'amanata', 'reprogramat', 'reprogramata', 'decalat', 'decalata'],
  cancelled: ['anulat', 'anulata', 'renuntat', 'abandonat', 'abandonata', 'canceled'],
};

const BY_KEY = new Map<string, StatusCode>();
for (const status of STATUSES) {
  BY_KEY.set(foldKey(status.ro), status.code);
  BY_KEY.set(foldKey(status.en), status.code);
  BY_KEY.set(status.code.replace('-', ' '), status.code);
  for (const synonym of SYNONYMS[status.code]) BY_KEY.set(synonym, status.code);
}

export type ParsedStatus = { kind: 'ok'; code: StatusCode } | { kind: 'empty' } | { kind: 'invalid'; text: string };

/**
 * A status cell's meaning. Case, diacritics (comma or cedilla), extra spaces, hyphens and a trailing full stop
 * do not matter (`ÎN CURS`, `Parţial realizat`, `în curs de realizare.`, `Ne-început`).
 */
export function parseStatus(text: string): ParsedStatus {
  const key = foldKey(text);
  if (key === '') return { kind: 'empty' };
  const bare = key.replace(/[.!;,]+$/, '').trim();
  // `Ne-început` and `în-curs`: the hyphen read as a space, or dropped (`neinceput`).
  const code =
    BY_KEY.get(bare) ?? BY_KEY.get(bare.replace(/\s*-\s*/g, ' ')) ?? BY_KEY.get(bare.replace(/\s*-\s*/g, ''));
  return code ? { kind: 'ok', code } : { kind: 'invalid', text: normalizeValue(text) };
}

/** The label a status is shown with (`statusLabel('done')` is `Realizat`). */
export function statusLabel(code: StatusCode, lang: 'ro' | 'en' = 'ro'): string {
  const status = STATUSES.find((s) => s.code === code);
  if (!status) throw new RangeError(`unknown status code: ${code}`);
  return status[lang];
}
