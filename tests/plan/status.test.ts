import { describe, expect, it } from 'vitest';
import { parseStatus, STATUS_CODES, statusLabel, STATUSES, type StatusCode } from '../../plan/status';

describe('statuses', () => {
  it('has the six statuses of SPEC 3 with their Romanian labels', () => {
    expect(STATUSES.map((s) => [s.code, s.ro])).toEqual([
      ['not-started', 'Neînceput'],
      ['in-progress', 'În curs'],
      ['partial', 'Parțial realizat'],
      ['done', 'Realizat'],
      ['postponed', 'Amânat'],
      ['cancelled', 'Anulat'],
    ]);
    expect(STATUS_CODES).toHaveLength(6);
  });

  it('reads back every label it writes, in both languages', () => {
    for (const status of STATUSES) {
      expect(parseStatus(status.ro)).toEqual({ kind: 'ok', code: status.code });
      expect(parseStatus(status.en)).toEqual({ kind: 'ok', code: status.code });
      expect(parseStatus(statusLabel(status.code))).toEqual({ kind: 'ok', code: status.code });
      expect(statusLabel(status.code, 'en')).toBe(status.en);
    }
  });

  it.each<[string, StatusCode]>([
    ['in curs', 'in-progress'],
    ['ÎN CURS', 'in-progress'],
    ['  În   curs ', 'in-progress'],
    ['în curs de realizare', 'in-progress'],
    ['In curs de implementare', 'in-progress'],
    ['în derulare', 'in-progress'],
    ['realizat', 'done'],
    ['REALIZAT', 'done'],
    ['Realizată', 'done'],
    ['Realizat.', 'done'],
    ['finalizat', 'done'],
    ['Îndeplinit', 'done'],
    ['Parţial realizat', 'partial'],
    ['Parțial realizat', 'partial'],
    ['partial realizat', 'partial'],
    ['realizat parțial', 'partial'],
    ['Parțial', 'partial'],
    ['nerealizat', 'not-started'],
    ['Neinceput', 'not-started'],
    ['Ne-început', 'not-started'],
    ['NEÎNCEPUT', 'not-started'],
    ['amânat', 'postponed'],
    ['Amanata', 'postponed'],
    ['reprogramat', 'postponed'],
    ['ANULAT', 'cancelled'],
    ['anulată', 'cancelled'],
  ])('%s', (text, code) => {
    expect(parseStatus(text)).toEqual({ kind: 'ok', code });
  });

  it('treats a blank cell as empty', () => {
    expect(parseStatus('')).toEqual({ kind: 'empty' });
    expect(parseStatus('  \n ')).toEqual({ kind: 'empty' });
  });

  it('quotes what it does not know', () => {
    expect(parseStatus('aproape gata')).toEqual({ kind: 'invalid', text: 'aproape gata' });
    expect(parseStatus('  realizat  50% ')).toEqual({ kind: 'invalid', text: 'realizat 50%' });
    expect(parseStatus('curs')).toEqual({ kind: 'invalid', text: 'curs' });
    expect(parseStatus('=1+1')).toEqual({ kind: 'invalid', text: '=1+1' });
  });
});
