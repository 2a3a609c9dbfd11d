import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  excelSerialToIso,
  isIsoDate,
  isoToExcelSerial,
  lastDayOfMonth,
  MAX_EXCEL_SERIAL,
} from '../../plan/date';

describe('Excel serials (1900 date system)', () => {
  it('reads the serials Excel shows for known days', () => {
    expect(excelSerialToIso(45107)).toBe('2023-06-30');
    expect(excelSerialToIso(1)).toBe('1900-01-01');
    expect(excelSerialToIso(59)).toBe('1900-02-28');
    expect(excelSerialToIso(61)).toBe('1900-03-01');
    expect(excelSerialToIso(25569)).toBe('1970-01-01');
    expect(excelSerialToIso(MAX_EXCEL_SERIAL)).toBe('9999-12-31');
  });

  it("keeps Excel's fake 1900-02-29 at serial 60, and it is no real date", () => {
    expect(excelSerialToIso(60)).toBe('1900-02-29');
    expect(isoToExcelSerial('1900-02-29')).toBe(60);
    expect(isIsoDate('1900-02-29')).toBe(false);
  });

  it('drops the time of day', () => {
    expect(excelSerialToIso(45107.75)).toBe('2023-06-30');
  });

  it('refuses what is no day', () => {
    for (const n of [0, -5, MAX_EXCEL_SERIAL + 1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => excelSerialToIso(n)).toThrow(RangeError);
    }
    expect(() => isoToExcelSerial('1899-12-31')).toThrow(RangeError);
    expect(() => isoToExcelSerial('2023-02-30')).toThrow(RangeError);
  });

  it('round-trips every serial', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_EXCEL_SERIAL }), (n) => {
        expect(isoToExcelSerial(excelSerialToIso(n))).toBe(n);
      }),
    );
  });

  it('gives consecutive days consecutive serials after the fake leap day', () => {
    fc.assert(
      fc.property(fc.integer({ min: 61, max: MAX_EXCEL_SERIAL - 1 }), (n) => {
        expect(addDays(excelSerialToIso(n), 1)).toBe(excelSerialToIso(n + 1));
      }),
    );
  });
});

describe('calendar days', () => {
  it('knows real days from impossible ones', () => {
    expect(isIsoDate('2023-06-30')).toBe(true);
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2100-02-29')).toBe(false);
    expect(isIsoDate('2000-02-29')).toBe(true);
    expect(isIsoDate('2023-13-01')).toBe(false);
    expect(isIsoDate('2023-6-30')).toBe(false);
    expect(isIsoDate('30.06.2023')).toBe(false);
    expect(isIsoDate(' 2023-06-30')).toBe(false);
    expect(isIsoDate(45107)).toBe(false);
  });

  it('finds the last day of each month, leap Februaries included', () => {
    expect(lastDayOfMonth(2023, 1)).toBe('2023-01-31');
    expect(lastDayOfMonth(2023, 2)).toBe('2023-02-28');
    expect(lastDayOfMonth(2024, 2)).toBe('2024-02-29');
    expect(lastDayOfMonth(1900, 2)).toBe('1900-02-28');
    expect(lastDayOfMonth(2000, 2)).toBe('2000-02-29');
    expect(lastDayOfMonth(2023, 4)).toBe('2023-04-30');
    expect(lastDayOfMonth(2023, 12)).toBe('2023-12-31');
    expect(() => lastDayOfMonth(2023, 13)).toThrow(RangeError);
  });

  it('adds days across months, years and leap days', () => {
    expect(addDays('2023-06-30', 1)).toBe('2023-07-01');
    expect(addDays('2023-12-31', 1)).toBe('2024-01-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2023-07-01', 30)).toBe('2023-07-31');
    expect(addDays('2023-07-01', 0)).toBe('2023-07-01');
    expect(() => addDays('2023-02-30', 1)).toThrow(RangeError);
  });

  it('is not moved by the local time zone (Bucharest switches to summer time on 2023-03-26)', () => {
    expect(addDays('2023-03-25', 1)).toBe('2023-03-26');
    expect(addDays('2023-03-26', 1)).toBe('2023-03-27');
    expect(addDays('2023-10-29', 1)).toBe('2023-10-30');
  });

  it('adds and counts days consistently', () => {
    const day = fc
      .date({ min: new Date(Date.UTC(1901, 0, 1)), max: new Date(Date.UTC(9000, 0, 1)), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, fc.integer({ min: -100_000, max: 100_000 }), (d, n) => {
        const later = addDays(d, n);
        expect(isIsoDate(later)).toBe(true);
        expect(daysBetween(d, later)).toBe(n);
        expect(addDays(later, -n)).toBe(d);
      }),
    );
  });
});
