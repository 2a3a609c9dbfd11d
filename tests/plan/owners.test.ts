import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Unit } from '../../plan/model';
import {
  editDistance,
  nearestCode,
  ownerCodes,
  ownerCodesCell,
  parseOwnerCodesCell,
  parseOwners,
  ROLES,
  type OwnerToken,
} from '../../plan/owners';
import { seedColumn, seedUnits } from './vocab-seed';

const units = seedUnits();

/** Tokens in a compact form: `DMRU`, `[Secretar general]`, `?CSDPPP>CSDDPP`. */
function read(text: string, legend: readonly Unit[] = units): string[] {
  return parseOwners(text, legend).map((t: OwnerToken) =>
    t.kind === 'unit'
      ? t.code
      : t.kind === 'role'
        ? `[${t.role}]`
        : `?${t.text}${t.suggestion ? `>${t.suggestion}` : ''}`,
  );
}

describe('the seed legend', () => {
  it('has the 12 units the tests rely on', () => {
    expect(units.map((u) => u.code)).toEqual([
      'CL',
      'CMON',
      'CSDDPP',
      'DGAPL',
      'DI',
      'DJLCA',
      'DME',
      'DMRU',
      'SIC',
      'SMI',
      'SRRP',
      'STLSA',
    ]);
  });
});

describe('splitting', () => {
  it('splits on , ; / new lines and și', () => {
    expect(read('DGAPL, SIC, SMI')).toEqual(['DGAPL', 'SIC', 'SMI']);
    expect(read('DGAPL/ CSDDPP')).toEqual(['DGAPL', 'CSDDPP']);
    expect(read('DMRU;SIC')).toEqual(['DMRU', 'SIC']);
    expect(read('DMRU\nSIC\r\nSMI')).toEqual(['DMRU', 'SIC', 'SMI']);
    expect(read('DMRU și SIC')).toEqual(['DMRU', 'SIC']);
    expect(read('DMRU şi SIC')).toEqual(['DMRU', 'SIC']);
    expect(read('DMRU si SIC')).toEqual(['DMRU', 'SIC']);
  });

  it('finds codes written without a separator', () => {
    expect(read('DGAPL SIC, SMI')).toEqual(['DGAPL', 'SIC', 'SMI']);
    expect(read('CSDPPP CMON')).toEqual(['?CSDPPP>CSDDPP', 'CMON']);
  });

  it('lists each owner once', () => {
    expect(read('SIC, SIC; Serviciul Imagine și Cultură')).toEqual(['SIC']);
  });

  it('ignores blanks and the seed filler', () => {
    expect(parseOwners('', units)).toEqual([]);
    expect(parseOwners('--', units)).toEqual([]);
    expect(parseOwners(' , ; ', units)).toEqual([]);
  });
});

describe('unit codes', () => {
  it('are whole words, exactly: DI never inside DIRECȚIA or CSDDPP', () => {
    expect(read('DIRECȚIA X')).toEqual(['?DIRECȚIA X']);
    expect(ownerCodes('DIRECȚIA X', units)).toEqual([]);
    expect(ownerCodes('CSDDPP', units)).toEqual(['CSDDPP']);
    expect(ownerCodes('DIVERSE', units)).toEqual([]);
    expect(ownerCodes('Direcția Investiții', units)).toEqual(['DI']);
    expect(ownerCodes('DI', units)).toEqual(['DI']);
    expect(ownerCodes('(DI)', units)).toEqual(['DI']);
  });

  it('accept a part that is only a code in another case', () => {
    expect(read('dmru, Sic')).toEqual(['DMRU', 'SIC']);
  });

  it('take the code beside a person’s name', () => {
    expect(read('Echipe de proiect Rădulescu Mihaela - SIC')).toEqual(['[Echipe de proiect]', 'SIC']);
    expect(parseOwners('Rădulescu Mihaela - SIC', units)).toEqual([{ kind: 'unit', code: 'SIC', text: 'SIC' }]);
  });
});

describe('full names', () => {
  it('give the unit code, in any case and with or without diacritics', () => {
    expect(parseOwners('Direcția Management Resurse Umane', units)).toEqual([
      { kind: 'unit', code: 'DMRU', text: 'Direcția Management Resurse Umane' },
    ]);
    expect(ownerCodes('DIRECTIA MANAGEMENT RESURSE UMANE', units)).toEqual(['DMRU']);
    expect(ownerCodes('Direcţia  Management Economic', units)).toEqual(['DME']);
  });

  it('are not cut at the commas and și inside them', () => {
    expect(read('Serviciul Tehnică Legislativă, Secretariat și Arhivă; Serviciul Imagine și Cultură')).toEqual([
      'STLSA',
      'SIC',
    ]);
    expect(read('Direcția Juridică, Legislație, Contencios Administrativ, DMRU')).toEqual(['DJLCA', 'DMRU']);
  });

  it('may be shortened when the start names one unit only', () => {
    expect(read('Comisia de Monitorizare')).toEqual(['CMON']);
    expect(read('Serviciul Imagine')).toEqual(['SIC']);
    // Two units start with `Direcția Management`: no guess.
    expect(read('Direcția Management')).toEqual(['?Direcția Management']);
    // Not a start of any name of the legend.
    expect(read('Direcția Generală de Asistență Socială')).toEqual(['?Direcția Generală de Asistență Socială']);
  });

  it('fall back to the role when the legend has no such unit', () => {
    expect(read('Comisia de Monitorizare', [])).toEqual(['[Comisia de Monitorizare]']);
  });
});

describe('roles', () => {
  it.each([
    ['Secretar general', 'Secretar general'],
    ['Consilier de etică', 'Consilier de etică'],
    ['Șefi departamente', 'Șefi departamente'],
    ['Șefi departamente din aparatul de specialitate', 'Șefi departamente'],
    ['Sefi departamente', 'Șefi departamente'],
    ['Coordonator CAF', 'Coordonator CAF'],
    ['Responsabil SMC', 'Responsabil SMC'],
    ['Responsabili procese', 'Responsabili procese'],
    ['Administratorul public', 'Administratorul public'],
    ['Arhitect Șef', 'Arhitect Șef'],
    ['Compartimentul Relații Internaționale', 'Compartimentul Relații Internaționale'],
    ['Compartimentele din aparatul de specialitate al primarului', 'Compartimentele din aparatul de specialitate'],
    ['Compartimentele cu atribuții', 'Compartimentele cu atribuții'],
    ['experți externi (după caz)', 'Experți externi'],
    [
      'Coordonatorul implementării Planului de Integritate al SNA',
      'Coordonatorul implementării Planului de Integritate al SNA',
    ],
    ['Echipe de proiect', 'Echipe de proiect'],
  ])('%s', (text, role) => {
    expect(parseOwners(text, units)).toEqual([{ kind: 'role', role, text: expect.any(String) }]);
  });

  it('sit beside codes in one part', () => {
    expect(read('SIC Compartimentul Relații Internaționale')).toEqual([
      'SIC',
      '[Compartimentul Relații Internaționale]',
    ]);
    expect(read('DGAPL, Compartimentele cu atribuții, experți externi (după caz)')).toEqual([
      'DGAPL',
      '[Compartimentele cu atribuții]',
      '[Experți externi]',
    ]);
  });

  it('have labels that read back as themselves', () => {
    for (const role of ROLES) expect(read(role.role, [])).toEqual([`[${role.role}]`]);
  });
});

describe('unknown owners', () => {
  it('suggest the nearest code for a misspelt one (the seed writes CSDDPP as CSDPPP and CSDDDP)', () => {
    expect(parseOwners('CSDPPP', units)).toEqual([{ kind: 'unknown', text: 'CSDPPP', suggestion: 'CSDDPP' }]);
    expect(parseOwners('CSDDDP', units)).toEqual([{ kind: 'unknown', text: 'CSDDDP', suggestion: 'CSDDPP' }]);
    expect(read('DMUR')).toEqual(['?DMUR>DMRU']);
    expect(read('dmrux')).toEqual(['?dmrux>DMRU']);
  });

  it('suggest nothing when no code is close', () => {
    expect(parseOwners('XYZQW', units)).toEqual([{ kind: 'unknown', text: 'XYZQW' }]);
    expect(parseOwners('Primăria de alături', units)).toEqual([{ kind: 'unknown', text: 'Primăria de alături' }]);
  });

  it('never count as owners, suggestion or not', () => {
    expect(ownerCodes('CSDPPP CMON', units)).toEqual(['CMON']);
    expect(ownerCodes('CSDDDP', units)).toEqual([]);
  });

  it('leave alone acronyms that name no unit', () => {
    expect(read('Responsabil SMC, SRRP, SIC')).toEqual(['[Responsabil SMC]', 'SRRP', 'SIC']);
    expect(read('SIC (proiect SIPOCA)')).toEqual(['SIC']);
  });
});

describe('the seed plan', () => {
  const cells = seedColumn(2);
  const misspelt = new Set(['CSDPPP', 'CSDDDP']);

  it('reads every Responsabil cell into units and roles, the misspelt codes aside', () => {
    expect(cells.length).toBeGreaterThanOrEqual(72);
    for (const cell of cells) {
      const tokens = parseOwners(cell, units);
      expect(tokens.length, cell).toBeGreaterThan(0);
      for (const token of tokens) {
        if (token.kind === 'unknown') {
          expect(misspelt.has(token.text), `${cell}: ${token.text}`).toBe(true);
          expect(token.suggestion).toBe('CSDDPP');
        }
      }
    }
  });

  it('finds the owners of the cells that mix codes, roles and names', () => {
    expect(ownerCodes('CL, DI, DME, DGAPL, SIC, CSDDPP', units)).toEqual(['CL', 'CSDDPP', 'DGAPL', 'DI', 'DME', 'SIC']);
    expect(ownerCodes('Echipe de proiect Rădulescu Mihaela - SIC', units)).toEqual(['SIC']);
    expect(ownerCodes('DMRU, Șefi departamente din aparatul de specialitate', units)).toEqual(['DMRU']);
    expect(ownerCodes('Secretar general', units)).toEqual([]);
  });
});

describe('the owners helper column', () => {
  it('writes sorted unique codes between semicolons', () => {
    expect(ownerCodesCell(['SIC', 'DMRU', 'SIC'])).toBe(';DMRU;SIC;');
    expect(ownerCodesCell([])).toBe('');
    expect(ownerCodesCell(ownerCodes('STLSA, DJLCA, DMRU', units))).toBe(';DJLCA;DMRU;STLSA;');
  });

  it('reads back what it writes', () => {
    expect(parseOwnerCodesCell(';DJLCA;DMRU;STLSA;')).toEqual(['DJLCA', 'DMRU', 'STLSA']);
    expect(parseOwnerCodesCell('')).toEqual([]);
  });
});

describe('edit distance', () => {
  it('counts Damerau-Levenshtein edits', () => {
    expect(editDistance('CSDPPP', 'CSDDPP')).toBe(1);
    expect(editDistance('CSDDDP', 'CSDDPP')).toBe(1);
    expect(editDistance('DMUR', 'DMRU')).toBe(1); // one transposition
    expect(editDistance('CA', 'ABC')).toBe(2); // a transposition and an insertion between
    expect(editDistance('', 'SIC')).toBe(3);
    expect(editDistance('SIC', 'SIC')).toBe(0);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests only within two edits', () => {
    expect(nearestCode('SICXX', ['SIC'])).toBe('SIC');
    expect(nearestCode('SICXXX', ['SIC'])).toBeUndefined();
    expect(nearestCode('DM', ['DME', 'DI'])).toBe('DI'); // tie at one edit: alphabetical
  });
});

describe('properties', () => {
  it('any text gives owners without throwing; codes come only from the legend, sorted and unique', () => {
    const legendCodes = new Set(units.map((u) => u.code));
    const piece = fc.oneof(
      fc.string(),
      fc.constantFrom(
        ...units.map((u) => u.code),
        ...units.map((u) => u.name),
        ', ',
        ';',
        ' și ',
        '/',
        '\n',
        'DIRECȚIA',
        'CSDPPP',
        ' - ',
      ),
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 8 }).map((p) => p.join('')),
        (text) => {
          const codes = ownerCodes(text, units);
          expect([...codes].sort()).toEqual(codes);
          expect(new Set(codes).size).toBe(codes.length);
          for (const code of codes) expect(legendCodes.has(code)).toBe(true);
          for (const token of parseOwners(text, units))
            if (token.kind === 'unknown' && token.suggestion) expect(legendCodes.has(token.suggestion)).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('follows a legend changed in place', () => {
    const legend: Unit[] = [{ code: 'DMRU', name: 'Direcția Management Resurse Umane' }];
    expect(ownerCodes('DMRU, SAP', legend)).toEqual(['DMRU']);
    legend.push({ code: 'SAP', name: 'Serviciul Audit Public' });
    expect(ownerCodes('DMRU, SAP', legend)).toEqual(['DMRU', 'SAP']);
  });
});

describe('roles plans commonly name (issue 13)', () => {
  it.each([
    ['Conducerea instituției', 'Conducerea instituției'],
    ['Primar', 'Primar'],
    ['Viceprimar', 'Viceprimar'],
    ['Administrator public', 'Administratorul public'],
    ['Secretar general', 'Secretar general'],
    ['Comisia de monitorizare', 'Comisia de Monitorizare'],
    ['Coordonatorul planului', 'Coordonatorul planului'],
  ])('%s is the role %s, not a warning', (text, role) => {
    // Without a legend: the seed's legend names its monitoring committee as a unit (CMON), which then wins.
    expect(parseOwners(text, [])).toEqual([{ kind: 'role', role, text }]);
  });
});
