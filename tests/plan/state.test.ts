import { describe, expect, it } from 'vitest';
import { addDays } from '../../plan/date';
import type { Action, CellValue, Field } from '../../plan/model';
import { FIELDS } from '../../plan/model';
import { DEADLINE_STATES, deadlineState, deadlineStateLabel } from '../../plan/state';
import { seedColumn } from './vocab-seed';

function action(deadline: string, status = '', deadlineValue?: CellValue): Action {
  const text = Object.fromEntries(FIELDS.map((f) => [f, ''])) as Record<Field, string>;
  text.deadline = deadline;
  text.status = status;
  return {
    id: '1.1.1',
    idFromColumn: false,
    row: 10,
    criterion: '1',
    subcriterion: '1.1',
    number: 1,
    text,
    values: deadlineValue === undefined ? {} : { deadline: deadlineValue },
    continuationRows: [],
  };
}

describe('deadline state', () => {
  const today = '2023-07-01';

  it('is done for Realizat and Anulat whatever the deadline', () => {
    expect(deadlineState(action('SEM. I 2023', 'Realizat'), today)).toBe('done');
    expect(deadlineState(action('SEM. I 2023', 'anulat'), today)).toBe('done');
    expect(deadlineState(action('nu știu', 'Realizat'), today)).toBe('done');
    expect(deadlineState(action('SEM. I 2023', 'Parțial realizat'), today)).toBe('overdue');
    expect(deadlineState(action('SEM. I 2023', 'Amânat'), today)).toBe('overdue');
  });

  it('is overdue the day after the due date, not on it', () => {
    expect(deadlineState(action('30.06.2023'), '2023-06-30')).toBe('due-soon');
    expect(deadlineState(action('30.06.2023'), '2023-07-01')).toBe('overdue');
  });

  it('is due soon within soonDays days, both ends inclusive', () => {
    expect(deadlineState(action('31.07.2023'), today)).toBe('due-soon'); // 30 days ahead
    expect(deadlineState(action('01.08.2023'), today)).toBe('on-track'); // 31 days ahead
    expect(deadlineState(action('01.08.2023'), today, 31)).toBe('due-soon');
    expect(deadlineState(action('02.07.2023'), today, 0)).toBe('on-track');
    expect(deadlineState(action('01.07.2023'), today, 0)).toBe('due-soon');
  });

  it('is recurring for recurring and legal deadlines', () => {
    expect(deadlineState(action('Permanent'), today)).toBe('recurring');
    expect(deadlineState(action('Lunar', 'În curs'), today)).toBe('recurring');
    expect(deadlineState(action('La termenele legale'), today)).toBe('recurring');
  });

  it('is invalid for an empty or unreadable deadline', () => {
    expect(deadlineState(action(''), today)).toBe('invalid');
    expect(deadlineState(action('cât mai repede'), today)).toBe('invalid');
    expect(deadlineState(action('31.02.2023'), today)).toBe('invalid');
  });

  it('prefers the raw cell value, so a real Excel date counts', () => {
    // The text Excel shows for a date depends on the locale; the serial does not.
    expect(deadlineState(action('6/30/23', '', 45107), today)).toBe('overdue');
    expect(deadlineState(action('SEM. II 2023', '', null), today)).toBe('on-track');
  });

  it('on 2023-07-01 makes every seed action due in SEM. I 2023 and not done overdue', () => {
    const first = seedColumn(3).filter((d) => /^SEM\.\s?I\s2023$/.test(d));
    expect(first.length).toBeGreaterThan(5);
    for (const deadline of first) {
      expect(deadlineState(action(deadline), today)).toBe('overdue');
      expect(deadlineState(action(deadline, 'În curs'), today)).toBe('overdue');
      expect(deadlineState(action(deadline, 'Realizat'), today)).toBe('done');
      expect(deadlineState(action(deadline), '2023-06-15')).toBe('due-soon');
      expect(deadlineState(action(deadline), '2023-01-15')).toBe('on-track');
    }
  });

  it('gives every seed action a state, and each second-semester one is due soon in December', () => {
    for (const deadline of seedColumn(3)) {
      const state = deadlineState(action(deadline), addDays('2023-12-31', -10));
      if (deadline === 'Permanent') expect(state).toBe('recurring');
      else if (deadline.endsWith('2023')) expect(state).toBe(/II/.test(deadline) ? 'due-soon' : 'overdue');
      else expect(state).toBe('overdue');
    }
  });

  it('labels every state in both languages', () => {
    expect(DEADLINE_STATES.map((s) => s.code)).toEqual([
      'done',
      'overdue',
      'due-soon',
      'on-track',
      'recurring',
      'invalid',
    ]);
    expect(deadlineStateLabel('overdue')).toBe('Termen depășit');
    expect(deadlineStateLabel('overdue', 'en')).toBe('Overdue');
  });
});
