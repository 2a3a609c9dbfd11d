import { describe, expect, it } from 'vitest';
import { parseResources, RESOURCE_KINDS } from '../../plan/resources';
import { seedColumn } from './vocab-seed';

describe('resources', () => {
  it('reads the four kinds by their full names', () => {
    for (const { kind, ro } of RESOURCE_KINDS) expect(parseResources(ro)).toEqual({ kinds: [kind], unknown: [] });
  });

  it.each([
    ['Resurse umane; de timp; financiare', ['human', 'time', 'financial']],
    ['Resurse umane, de timp; Resurse financiare', ['human', 'time', 'financial']],
    ['Resurse umane; Resurse de timp; Resurse financiare', ['human', 'time', 'financial']],
    ['Resurse umane; Resurse de timp', ['human', 'time']],
    ['Resurse umane și financiare', ['human', 'financial']],
    ['resurse materiale', ['material']],
    ['RESURSE FINANCIARE', ['financial']],
    ['Resurse umane\nResurse materiale', ['human', 'material']],
    ['Resurse financiare, Resurse umane', ['human', 'financial']],
    ['umane / de timp / materiale / financiare', ['human', 'time', 'financial', 'material']],
    ['Resurse umane de timp', ['human', 'time']],
  ])('%s', (text, kinds) => {
    expect(parseResources(text)).toEqual({ kinds, unknown: [] });
  });

  it('lists each kind once', () => {
    expect(parseResources('Resurse umane; umane; Resurse umane').kinds).toEqual(['human']);
  });

  it('reads nothing from blanks, the seed filler or `nu este cazul`', () => {
    for (const text of ['', '  ', '--', 'Nu este cazul'])
      expect(parseResources(text)).toEqual({ kinds: [], unknown: [] });
  });

  it('keeps what it cannot read, as written', () => {
    expect(parseResources('Resurse umane; Resurse informaționale')).toEqual({
      kinds: ['human'],
      unknown: ['Resurse informaționale'],
    });
    expect(parseResources('Resurse')).toEqual({ kinds: [], unknown: ['Resurse'] });
    expect(parseResources('  buget   local ')).toEqual({ kinds: [], unknown: ['buget local'] });
  });

  it('reads every Resurse cell of the seed with no unknown part', () => {
    const cells = seedColumn(5);
    expect(cells.length).toBeGreaterThanOrEqual(72);
    for (const cell of cells) {
      const parsed = parseResources(cell);
      expect(parsed.unknown, cell).toEqual([]);
      expect(parsed.kinds, cell).toContain('human');
      expect(parsed.kinds, cell).toContain('time');
    }
    const financial = cells.filter((c) => parseResources(c).kinds.includes('financial'));
    expect(financial.length).toBe(cells.filter((c) => /financiare/.test(c)).length);
  });
});
