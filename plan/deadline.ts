// Deadlines (`Termen de realizare`, SPEC 3): the due date is the last day of the period the cell names.
import { excelSerialToIso, formatIsoDate, isValidDate, lastDayOfMonth, MAX_EXCEL_SERIAL } from './date';
import type { CellValue, LocalDate } from './model';
import { cellText, foldKey, normalizeValue } from './text';

export type RecurringPeriod = 'permanent' | 'continuous' | 'monthly' | 'quarterly' | 'semiannual' | 'annual';
export type DatedKind = 'date' | 'month' | 'quarter' | 'semester' | 'year';

export type Deadline =
  | { kind: DatedKind; due: LocalDate; text: string }
  | { kind: 'recurring'; period: RecurringPeriod; text: string }
  | { kind: 'legal'; text: string }
  | { kind: 'empty'; text: '' }
  | { kind: 'invalid'; text: string };

export const RECURRING_PERIODS: readonly { period: RecurringPeriod; ro: string; en: string }[] = [
  { period: 'permanent', ro: 'Permanent', en: 'Permanent' },
  { period: 'continuous', ro: 'Continuu', en: 'Continuous' },
  { period: 'monthly', ro: 'Lunar', en: 'Monthly' },
  { period: 'quarterly', ro: 'Trimestrial', en: 'Quarterly' },
  { period: 'semiannual', ro: 'Semestrial', en: 'Every six months' },
  { period: 'annual', ro: 'Anual', en: 'Yearly' },
];

/** Years a plan can sensibly name; a number in this range is a year, a larger one an Excel date serial. */
const MIN_YEAR = 1900;
const MAX_YEAR = 2200;

// Folded (no diacritics, lower case) month names and the abbreviations plans use, with and without a dot.
const MONTHS: Record<string, number> = {};
(
  [
    [1, ['ianuarie', 'ian', 'ianuar']],
    [2, ['februarie', 'feb', 'febr', 'februar']],
    [3, ['martie', 'mar', 'mart']],
    [4, ['aprilie', 'apr', 'april']],
    [5, ['mai']],
    [6, ['iunie', 'iun']],
    [7, ['iulie', 'iul']],
    [8, ['august', 'aug']],
    [9, ['septembrie', 'sep', 'sept']],
    [10, ['octombrie', 'oct']],
    [11, ['noiembrie', 'noi', 'noiem', 'nov']],
    [12, ['decembrie', 'dec', 'decem']],
  ] as const
).forEach(([month, names]) => names.forEach((name) => (MONTHS[name] = month)));

const ROMAN: Record<string, number> = { i: 1, ii: 2, iii: 3, iv: 4 };

// Folded recurring words; feminine and adverbial forms included (`lunară`, `în permanență`).
const RECURRING: Record<string, RecurringPeriod> = {
  permanent: 'permanent',
  permanenta: 'permanent',
  'in permanenta': 'permanent',
  continuu: 'continuous',
  continua: 'continuous',
  'in continuu': 'continuous',
  zilnic: 'continuous',
  saptamanal: 'continuous',
  lunar: 'monthly',
  lunara: 'monthly',
  trimestrial: 'quarterly',
  trimestriala: 'quarterly',
  semestrial: 'semiannual',
  semestriala: 'semiannual',
  anual: 'annual',
  anuala: 'annual',
};

// `La termenele legale`, `Conform legii`, `În termenul legal`, `Conform prevederilor legale`, ...
const LEGAL_RE =
  /^(?:(?:la|in|conform|potrivit)\s+)?(?:(?:termen(?:ul|ele|e)?\s+legal(?:e)?)|(?:termenelor\s+legale)|(?:legii)|(?:legislatiei(?:\s+in\s+vigoare)?)|(?:prevederilor\s+legale))$/;

// `sem. ii 2023`, `sem.ii. 2022`, `semestrul i 2023`, `s1 2023`, `sem. 2 2023`, `semestrul al ii-lea 2023`, `sem. i/2023`
const SEMESTER_RE =
  /^(?:semestrul|semestru|sem|s)\.?\s*(?:(?:al|a)\s+)?(i{1,2}|[12])(?:-(?:lea|a))?\.?\s*[,/-]?\s*(?:(?:anul|an)\s+)?(\d{4})$/;
// `trim. iii 2023`, `trim. 3 2023`, `t3 2023`, `trimestrul iii 2023`, `q3 2023`
const QUARTER_RE =
  /^(?:trimestrul|trimestru|trim|tr|t|q)\.?\s*(?:(?:al|a)\s+)?(iv|i{1,3}|[1-4])(?:-(?:lea|a))?\.?\s*[,/-]?\s*(?:(?:anul|an)\s+)?(\d{4})$/;
// `iunie 2023`, `iun. 2023`, `luna iunie 2023`, `iunie, 2023`
const MONTH_NAME_RE = /^(?:(?:luna|lunii)\s+)?([a-z]+)\.?\s*[,/-]?\s*(\d{4})$/;
const MONTH_NUMBER_RE = /^(\d{1,2})\s*[./-]\s*(\d{4})$/;
const YEAR_MONTH_RE = /^(\d{4})-(\d{1,2})$/;
const DMY_RE = /^(\d{1,2})\s*([./-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})$/;
const YMD_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const YEAR_RE = /^(?:(?:anul|an)\s+)?(\d{4})$/;
// `16 decembrie 2022`, `16 dec. 2022`, `pana la 16 decembrie 2022`
const DAY_MONTH_NAME_RE = /^(?:(?:pana\s+)?(?:la|pe|in)\s+(?:data\s+de\s+)?)?(\d{1,2})\s+([a-z]+)\.?\s*,?\s*(\d{4})$/;
// Recurring phrases: `La data de 25 a fiecărei luni`, `în fiecare lună`, `la fiecare trimestru`, `anual, până la 31 ianuarie`.
const RECURRING_PHRASES: readonly [RegExp, RecurringPeriod][] = [
  [/\b(?:fiecarei|fiecare)\s+luni?\b/, 'monthly'],
  [/\b(?:fiecarui|fiecare)\s+trimestru\b/, 'quarterly'],
  [/\b(?:fiecarui|fiecare)\s+semestru\b/, 'semiannual'],
  [/\b(?:fiecarui|fiecare)\s+an\b/, 'annual'],
  [/\b(?:fiecarei|fiecare)\s+saptamani?\b/, 'continuous'],
];

function yearOk(year: number): boolean {
  return year >= MIN_YEAR && year <= MAX_YEAR;
}

function dated(kind: DatedKind, due: LocalDate, text: string): Deadline {
  return { kind, due, text };
}

function parseText(text: string): Deadline {
  // A trailing full stop or comma is a typing habit, not part of the period (`SEM. II 2023.`).
  const key = foldKey(text).replace(/[.,;]+$/, '');
  if (key === '') return { kind: 'invalid', text };

  const recurring = RECURRING[key];
  if (recurring) return { kind: 'recurring', period: recurring, text };
  if (LEGAL_RE.test(key)) return { kind: 'legal', text };

  let m = SEMESTER_RE.exec(key);
  if (m) {
    const half = ROMAN[m[1]!] ?? Number(m[1]);
    const year = Number(m[2]);
    if (yearOk(year)) return dated('semester', formatIsoDate(year, half === 1 ? 6 : 12, half === 1 ? 30 : 31), text);
  }
  m = QUARTER_RE.exec(key);
  if (m) {
    const quarter = ROMAN[m[1]!] ?? Number(m[1]);
    const year = Number(m[2]);
    if (yearOk(year)) return dated('quarter', lastDayOfMonth(year, quarter * 3), text);
  }
  m = MONTH_NAME_RE.exec(key);
  if (m) {
    const month = MONTHS[m[1]!];
    const year = Number(m[2]);
    if (month !== undefined && yearOk(year)) return dated('month', lastDayOfMonth(year, month), text);
  }
  const monthYear = monthAndYear(key);
  if (monthYear) {
    const [month, year] = monthYear;
    if (month >= 1 && month <= 12 && yearOk(year)) return dated('month', lastDayOfMonth(year, month), text);
    return { kind: 'invalid', text };
  }
  m = DMY_RE.exec(key);
  if (m) {
    const year = m[4]!.length === 2 ? 2000 + Number(m[4]) : Number(m[4]);
    return dayDeadline(year, Number(m[3]), Number(m[1]), text);
  }
  m = YMD_RE.exec(key);
  if (m) return dayDeadline(Number(m[1]), Number(m[2]), Number(m[3]), text);
  m = DAY_MONTH_NAME_RE.exec(key);
  if (m) {
    const month = MONTHS[m[2]!];
    if (month !== undefined) return dayDeadline(Number(m[3]), month, Number(m[1]), text);
  }
  m = YEAR_RE.exec(key);
  if (m) {
    const year = Number(m[1]);
    if (yearOk(year)) return dated('year', formatIsoDate(year, 12, 31), text);
  }
  // A phrase that names a repeating period and no date of its own (`La data de 25 a fiecărei luni`).
  if (!/\d{4}/.test(key)) {
    for (const [re, period] of RECURRING_PHRASES) if (re.test(key)) return { kind: 'recurring', period, text };
  }
  return { kind: 'invalid', text };
}

/** `06.2023`, `6/2023` or `2023-06` as [month, year]. */
function monthAndYear(key: string): [number, number] | null {
  const mmYyyy = MONTH_NUMBER_RE.exec(key);
  if (mmYyyy) return [Number(mmYyyy[1]), Number(mmYyyy[2])];
  const yyyyMm = YEAR_MONTH_RE.exec(key);
  return yyyyMm ? [Number(yyyyMm[2]), Number(yyyyMm[1])] : null;
}

function dayDeadline(year: number, month: number, day: number, text: string): Deadline {
  // 31.02.2023 is a typing error, not 3 March: refuse it rather than roll it over.
  if (!yearOk(year) || !isValidDate(year, month, day)) return { kind: 'invalid', text };
  return dated('date', formatIsoDate(year, month, day), text);
}

/**
 * The deadline a cell names. Never throws.
 * - a number from 1900 to 2200 is a year; a larger one is an Excel date serial (its time of day is dropped);
 * - text is matched after diacritic and case folding (SPEC 3); a cell of only dashes (`--`, the seed's filler) is empty;
 * - `text` is the cell as the user sees it (whitespace collapsed), quoted by validation messages.
 */
export function parseDeadline(value: CellValue | undefined): Deadline {
  if (value === null || value === undefined) return { kind: 'empty', text: '' };
  if (typeof value === 'number') return parseNumber(value);
  const text = normalizeValue(cellText(value));
  if (text === '' || /^[-\u2013\u2014\s]+$/.test(text)) return { kind: 'empty', text: '' };
  if (typeof value === 'boolean') return { kind: 'invalid', text };
  return parseText(text);
}

function parseNumber(n: number): Deadline {
  const text = cellText(n);
  if (!Number.isFinite(n)) return { kind: 'invalid', text };
  if (Number.isInteger(n) && yearOk(n)) return dated('year', formatIsoDate(n, 12, 31), text);
  if (n > MAX_YEAR && n < MAX_EXCEL_SERIAL + 1) return dated('date', excelSerialToIso(n), text);
  return { kind: 'invalid', text };
}

/** The due date of a deadline that has one, else null (recurring, legal, empty, invalid). */
export function deadlineDue(deadline: Deadline): LocalDate | null {
  return 'due' in deadline ? deadline.due : null;
}
