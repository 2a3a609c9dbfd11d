// Calendar days without time zones (`YYYY-MM-DD`) and Excel's 1900 date system.
// All arithmetic goes through UTC milliseconds so that no local time zone or DST shift can move a day.
import type { LocalDate } from './model';

const DAY_MS = 86_400_000;
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Largest serial Excel accepts: 9999-12-31. */
export const MAX_EXCEL_SERIAL = 2_958_465;
/**
 * Excel's fake leap day: the 1900 date system counts 1900-02-29 (serial 60), copied from Lotus 1-2-3.
 * `excelSerialToIso(60)` returns this text so that it matches what Excel shows, although it is no real date.
 */
export const EXCEL_FAKE_LEAP_DAY = '1900-02-29';

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `YYYY-MM-DD` from a year, a 1-based month and a day; no range check. */
export function formatIsoDate(year: number, month: number, day: number): LocalDate {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Whether year/month/day name a real calendar day (years 1..9999, month 1-based). */
export function isValidDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** True for a real calendar day written exactly as `YYYY-MM-DD`. */
export function isIsoDate(s: unknown): s is LocalDate {
  if (typeof s !== 'string') return false;
  const m = ISO_RE.exec(s);
  return m !== null && isValidDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

function toUtcMs(d: LocalDate): number {
  const m = ISO_RE.exec(d);
  if (!m || !isValidDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
    throw new RangeError(`not an ISO date: ${JSON.stringify(d)}`);
  }
  // Date.UTC maps years 0..99 to 1900..1999; setUTCFullYear does not.
  const date = new Date(0);
  date.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return date.getTime();
}

function fromUtcMs(ms: number): LocalDate {
  const date = new Date(ms);
  return formatIsoDate(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

/** The day `n` days after `d` (before it when `n` is negative). Throws RangeError when `d` is not an ISO date. */
export function addDays(d: LocalDate, n: number): LocalDate {
  if (!Number.isInteger(n)) throw new RangeError(`not a whole number of days: ${n}`);
  return fromUtcMs(toUtcMs(d) + n * DAY_MS);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  return Math.round((toUtcMs(to) - toUtcMs(from)) / DAY_MS);
}

/** The last day of a month; `month` is 1-based (`lastDayOfMonth(2024, 2)` is `2024-02-29`). */
export function lastDayOfMonth(year: number, month: number): LocalDate {
  if (!isValidDate(year, month, 1)) throw new RangeError(`no such month: ${year}-${month}`);
  return formatIsoDate(year, month, daysInMonth(year, month));
}

// Serial 1 is 1900-01-01. From serial 61 (1900-03-01) on, the fake leap day shifts the count by one,
// so serial n is (n - 25569) days after 1970-01-01; before it, one day less.
const SERIAL_UNIX_EPOCH = 25_569;

/**
 * The day an Excel serial (1900 date system) falls on; a fraction (the time of day) is dropped.
 * Throws RangeError outside 1..MAX_EXCEL_SERIAL: serial 0 is Excel's `1900-01-00`, no day at all.
 */
export function excelSerialToIso(n: number): LocalDate {
  if (!Number.isFinite(n)) throw new RangeError(`not an Excel date serial: ${n}`);
  const serial = Math.floor(n);
  if (serial < 1 || serial > MAX_EXCEL_SERIAL) throw new RangeError(`Excel date serial out of range: ${n}`);
  if (serial === 60) return EXCEL_FAKE_LEAP_DAY;
  const days = serial > 60 ? serial - SERIAL_UNIX_EPOCH : serial - SERIAL_UNIX_EPOCH + 1;
  return fromUtcMs(days * DAY_MS);
}

/** The Excel serial (1900 date system) of a day from 1900-01-01 on; `EXCEL_FAKE_LEAP_DAY` gives 60. */
export function isoToExcelSerial(d: LocalDate): number {
  if (d === EXCEL_FAKE_LEAP_DAY) return 60;
  const days = Math.round(toUtcMs(d) / DAY_MS);
  const serial = days + SERIAL_UNIX_EPOCH;
  const result = serial >= 61 ? serial : serial - 1;
  if (result < 1) throw new RangeError(`before Excel's first date (1900-01-01): ${d}`);
  return result;
}
