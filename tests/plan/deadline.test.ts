import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIsoDate, isoToExcelSerial } from '../../plan/date';
import { deadlineDue, parseDeadline, type Deadline } from '../../plan/deadline';
import { seedColumn } from './vocab-seed';

function due(value: string | number): string | null {
  return deadlineDue(parseDeadline(value));
}

describe('semesters end on 30.06 and 31.12', () => {
  it.each([
    ['SEM. I 2023', '2023-06-30'],
    ['SEM.II 2022', '2022-12-31'],
    ['SEM. II. 2022', '2022-12-31'],
    ['Sem. 2 2023', '2023-12-31'],
    ['Semestrul I 2023', '2023-06-30'],
    ['S1 2023', '2023-06-30'],
    ['S2 2024', '2024-12-31'],
    ['semestrul al II-lea 2023', '2023-12-31'],
    ['Sem. I/2023', '2023-06-30'],
    ['SEM.  II  2023.', '2023-12-31'],
  ])('%s', (text, expected) => {
    expect(parseDeadline(text)).toEqual({ kind: 'semester', due: expected, text: text.replace(/\s+/g, ' ') });
  });

  it('refuses a third semester', () => {
    expect(parseDeadline('SEM. III 2023').kind).toBe('invalid');
    expect(parseDeadline('S3 2023').kind).toBe('invalid');
  });
});

describe('quarters end on the last day of their third month', () => {
  it.each([
    ['TRIM. III 2023', '2023-09-30'],
    ['Trim. 3 2023', '2023-09-30'],
    ['T3 2023', '2023-09-30'],
    ['trimestrul III 2023', '2023-09-30'],
    ['Trim. I 2024', '2024-03-31'],
    ['T2 2023', '2023-06-30'],
    ['TRIMESTRUL IV 2023', '2023-12-31'],
  ])('%s', (text, expected) => {
    expect(parseDeadline(text)).toEqual({ kind: 'quarter', due: expected, text });
  });

  it('refuses a fifth quarter', () => {
    expect(parseDeadline('T5 2023').kind).toBe('invalid');
    expect(parseDeadline('Trim. V 2023').kind).toBe('invalid');
  });
});

describe('months end on their last day', () => {
  const months: [number, string[]][] = [
    [1, ['ianuarie', 'Ian.', 'IANUARIE']],
    [2, ['februarie', 'Feb.', 'Febr.']],
    [3, ['martie', 'Mar.', 'Mart.']],
    [4, ['aprilie', 'Apr.']],
    [5, ['mai', 'Mai']],
    [6, ['iunie', 'Iun.', 'IUNIE']],
    [7, ['iulie', 'Iul.']],
    [8, ['august', 'Aug.']],
    [9, ['septembrie', 'Sept.', 'Sep.']],
    [10, ['octombrie', 'Oct.']],
    [11, ['noiembrie', 'Noi.', 'Nov.']],
    [12, ['decembrie', 'Dec.']],
  ];
  const lastDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  for (const [month, names] of months) {
    for (const name of names) {
      it(`${name} 2023`, () => {
        const expected = `2023-${String(month).padStart(2, '0')}-${lastDays[month - 1]}`;
        expect(parseDeadline(`${name} 2023`)).toEqual({ kind: 'month', due: expected, text: `${name} 2023` });
      });
    }
  }

  it('reads the numeric forms', () => {
    expect(parseDeadline('06.2023')).toEqual({ kind: 'month', due: '2023-06-30', text: '06.2023' });
    expect(due('6/2023')).toBe('2023-06-30');
    expect(due('2023-06')).toBe('2023-06-30');
    expect(parseDeadline('13.2023').kind).toBe('invalid');
    expect(parseDeadline('00.2023').kind).toBe('invalid');
  });

  it('knows leap Februaries', () => {
    expect(due('februarie 2024')).toBe('2024-02-29');
    expect(due('Feb. 2023')).toBe('2023-02-28');
    expect(due('02.2000')).toBe('2000-02-29');
    expect(due('februarie 2100')).toBe('2100-02-28');
  });

  it('reads a month after the word luna', () => {
    expect(due('Luna iunie 2023')).toBe('2023-06-30');
  });
});

describe('days', () => {
  it.each([
    ['30.06.2023', '2023-06-30'],
    ['30/06/2023', '2023-06-30'],
    ['2023-06-30', '2023-06-30'],
    ['1.7.2023', '2023-07-01'],
    ['29.02.2024', '2024-02-29'],
    ['30-06-2023', '2023-06-30'],
    ['30.06.23', '2023-06-30'],
  ])('%s', (text, expected) => {
    expect(parseDeadline(text)).toEqual({ kind: 'date', due: expected, text });
  });

  it.each([
    '31.02.2023',
    '29.02.2023',
    '31.04.2023',
    '00.01.2023',
    '32.01.2023',
    '2023-02-30',
    '30.13.2023',
    '30.06/2023',
  ])('refuses the impossible day %s', (text) => {
    expect(parseDeadline(text)).toEqual({ kind: 'invalid', text });
  });

  it('reads a real Excel date (its serial) and drops the time of day', () => {
    expect(parseDeadline(45107)).toEqual({ kind: 'date', due: '2023-06-30', text: '45107' });
    expect(due(45107.5)).toBe('2023-06-30');
    expect(due(isoToExcelSerial('2024-02-29'))).toBe('2024-02-29');
  });
});

describe('years end on 31.12', () => {
  it('as text or as a number', () => {
    expect(parseDeadline('2023')).toEqual({ kind: 'year', due: '2023-12-31', text: '2023' });
    expect(parseDeadline(2023)).toEqual({ kind: 'year', due: '2023-12-31', text: '2023' });
    expect(due('Anul 2024')).toBe('2024-12-31');
  });

  it('refuses numbers that are neither a year nor a date serial', () => {
    for (const n of [0, 12, 1899, -2023, 2023.5, 1e9, Number.NaN]) expect(parseDeadline(n).kind).toBe('invalid');
  });
});

describe('recurring and legal deadlines have no due date', () => {
  it.each([
    ['Permanent', 'permanent'],
    ['PERMANENT', 'permanent'],
    ['În permanență', 'permanent'],
    ['In permanenta', 'permanent'],
    ['Continuu', 'continuous'],
    ['continuă', 'continuous'],
    ['Lunar', 'monthly'],
    ['lunară', 'monthly'],
    ['Trimestrial', 'quarterly'],
    ['TRIMESTRIAL', 'quarterly'],
    ['Semestrial', 'semiannual'],
    ['Anual', 'annual'],
    ['anuală', 'annual'],
    ['Anual.', 'annual'],
  ])('%s', (text, period) => {
    expect(parseDeadline(text)).toEqual({ kind: 'recurring', period, text });
  });

  it.each([
    'La termenele legale',
    'la termenele legale',
    'Conform legii',
    'CONFORM LEGII',
    'În termenul legal',
    'Conform prevederilor legale',
    'Termen legal',
  ])('%s is a legal deadline', (text) => {
    expect(parseDeadline(text)).toEqual({ kind: 'legal', text });
  });
});

describe('empty and invalid', () => {
  it('treats no value, blanks and the seed filler `--` as empty', () => {
    for (const value of [null, undefined, '', '   ', '\u00a0', '--', ' - ']) {
      expect(parseDeadline(value)).toEqual({ kind: 'empty', text: '' });
    }
  });

  it('quotes whatever else the cell says', () => {
    expect(parseDeadline('cât mai repede')).toEqual({ kind: 'invalid', text: 'cât mai repede' });
    expect(parseDeadline('  SEM   2023 ')).toEqual({ kind: 'invalid', text: 'SEM 2023' });
    expect(parseDeadline('SEM. I 1850')).toEqual({ kind: 'invalid', text: 'SEM. I 1850' });
    expect(parseDeadline('Permanent, anual').kind).toBe('invalid');
    expect(parseDeadline(true)).toEqual({ kind: 'invalid', text: 'TRUE' });
  });
});

describe('the seed plan', () => {
  const cells = seedColumn(3);

  it('has its 9 spellings of Termen, and every one parses', () => {
    const spellings = [...new Set(cells)].sort();
    expect(spellings).toEqual([
      'Permanent',
      'SEM. I 2023',
      'SEM. II 2022',
      'SEM. II 2023',
      'SEM. II. 2022',
      'SEM. II. 2023',
      'SEM.I 2023',
      'SEM.II 2022',
      'SEM.II 2023',
    ]);
    for (const cell of cells) expect(['semester', 'recurring']).toContain(parseDeadline(cell).kind);
  });

  it('gives the due dates of the semesters named', () => {
    const dues = new Map(cells.map((c) => [c, due(c)]));
    expect(dues.get('SEM.I 2023')).toBe('2023-06-30');
    expect(dues.get('SEM. II. 2022')).toBe('2022-12-31');
    expect(dues.get('SEM.II 2023')).toBe('2023-12-31');
    expect(dues.get('Permanent')).toBeNull();
  });
});

describe('properties', () => {
  const dated = new Set<Deadline['kind']>(['date', 'month', 'quarter', 'semester', 'year']);

  function check(value: string | number | boolean | null): void {
    const deadline = parseDeadline(value);
    if (dated.has(deadline.kind)) {
      expect(isIsoDate(deadlineDue(deadline))).toBe(true);
    } else {
      expect(deadlineDue(deadline)).toBeNull();
    }
  }

  it('any value gives a deadline without throwing, and a dated one has a real ISO due date', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null)), check), {
      numRuns: 2000,
    });
  });

  it('text built from deadline words and numbers never breaks it', () => {
    const piece = fc.constantFrom(
      'SEM',
      'Sem.',
      'S',
      'T',
      'Trim.',
      'I',
      'II',
      'III',
      'IV',
      '.',
      '/',
      '-',
      ' ',
      '2023',
      '31',
      '02',
      '29',
      '0',
      'iunie',
      'feb',
      'al',
      '-lea',
      'anul',
      '99999',
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 8 }).map((p) => p.join('')),
        check,
      ),
      { numRuns: 5000 },
    );
  });

  it('any real day written as dd.mm.yyyy is read back as that day', () => {
    const day = fc.date({
      min: new Date(Date.UTC(1900, 0, 1)),
      max: new Date(Date.UTC(2200, 11, 31)),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(day, (d) => {
        const iso = d.toISOString().slice(0, 10);
        const [y, m, dd] = iso.split('-');
        expect(due(`${dd}.${m}.${y}`)).toBe(iso);
        expect(due(iso)).toBe(iso);
      }),
    );
  });
});

describe('the forms other institutions write (issue 13)', () => {
  it.each([
    ['T4 2023', '2023-12-31'],
    ['Q4 2023', '2023-12-31'],
    ['trim. IV/2023', '2023-12-31'],
    ['TRIM. II 2024', '2024-06-30'],
    ['16 decembrie 2022', '2022-12-16'],
    ['16 dec. 2022', '2022-12-16'],
    ['până la 30 iunie 2023', '2023-06-30'],
    ['decembrie 2022', '2022-12-31'],
  ])('%s is due %s', (text, iso) => {
    expect(due(text)).toBe(iso);
  });

  it('reads repeating phrases as recurring, with their period', () => {
    expect(parseDeadline('La data de 25 a fiecărei luni')).toMatchObject({ kind: 'recurring', period: 'monthly' });
    expect(parseDeadline('în fiecare trimestru')).toMatchObject({ kind: 'recurring', period: 'quarterly' });
    expect(parseDeadline('la sfârșitul fiecărui an')).toMatchObject({ kind: 'recurring', period: 'annual' });
  });

  it('still refuses what is not certain, quoting it', () => {
    expect(parseDeadline('31 februarie 2023')).toEqual({ kind: 'invalid', text: '31 februarie 2023' });
    expect(parseDeadline('25 a lunii')).toEqual({ kind: 'invalid', text: '25 a lunii' });
    expect(parseDeadline('lunar 2023')).toEqual({ kind: 'invalid', text: 'lunar 2023' });
  });
});
