// The Service section's sentences with counts: Romanian and English agree with their numbers.
import { describe, expect, it } from 'vitest';
import { countWith } from '../../plan/text';
import { connectMessage } from '../../addin/service/messages';

describe('counts in the Service section', () => {
  it('Romanian: singular at 1, "de" from 20 on except after 01-19 in the last two digits', () => {
    const ro = (n: number): string => countWith(n, 'conflict', 'conflicte', 'ro');
    expect([0, 1, 2, 19, 20, 101, 119, 120, 1000].map(ro)).toEqual([
      '0 conflicte',
      '1 conflict',
      '2 conflicte',
      '19 conflicte',
      '20 de conflicte',
      '101 conflicte',
      '119 conflicte',
      '120 de conflicte',
      '1.000 de conflicte',
    ]);
  });

  it('the sync summary reads right in both languages', () => {
    expect(connectMessage('syncDone', { revision: '2', written: 1, conflicts: 1 })).toEqual({
      ro: 'Sincronizat la revizia 2: 1 celulă actualizată, 1 conflict deschis.',
      en: 'Synced to revision 2: 1 cell updated, 1 open conflict.',
    });
    expect(connectMessage('syncDone', { revision: '3', written: 25, conflicts: 0 })).toEqual({
      ro: 'Sincronizat la revizia 3: 25 de celule actualizate, 0 conflicte deschise.',
      en: 'Synced to revision 3: 25 cells updated, 0 open conflicts.',
    });
    expect(connectMessage('ownRows', { rows: 16, unit: 'DMRU' }).ro).toBe('16 acțiuni ale unității DMRU.');
  });
});
