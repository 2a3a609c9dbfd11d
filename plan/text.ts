// Text normalisation shared by the reader, the vocabularies and the merge (GUIDE.md, last pitfall).
import type { CellValue } from './model';

const CEDILLA_TO_COMMA: Record<string, string> = {
  '\u015E': '\u0218', // Ş -> Ș
  '\u015F': '\u0219', // ş -> ș
  '\u0162': '\u021A', // Ţ -> Ț
  '\u0163': '\u021B', // ţ -> ț
};
const CEDILLA_RE = /[\u015E\u015F\u0162\u0163]/g;
// Non-breaking and other Unicode spaces count as whitespace; \s in JS covers them.
const WHITESPACE_RE = /\s+/g;

/** Unicode NFC, then the cedilla letters mapped to their comma-below forms (NFC alone does not unify them). */
export function toCommaBelow(text: string): string {
  return text.normalize('NFC').replace(CEDILLA_RE, (c) => CEDILLA_TO_COMMA[c] ?? c);
}

/**
 * The value two cells are compared by (SPEC 5): trimmed, whitespace collapsed, NFC, cedilla folded.
 * A cell that holds only whitespace becomes ''.
 */
export function normalizeValue(text: string): string {
  return toCommaBelow(text).replace(WHITESPACE_RE, ' ').trim();
}

/** A key for matching names: no diacritics, lower case, whitespace collapsed (`Acțiuni  necesare` -> `actiuni necesare`). */
export function foldKey(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(WHITESPACE_RE, ' ')
    .trim();
}

/** A cell as text: numbers and booleans as Excel shows them in the general format, null as ''. */
export function cellText(value: CellValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15)));
}

const PLURALS = { ro: new Intl.PluralRules('ro-RO'), en: new Intl.PluralRules('en-US') };

/**
 * A count with its noun, by the language's plural rules (Intl.PluralRules): Romanian's "few" takes the plural
 * ("2 conflicte", "101 conflicte") and its "other" puts "de" before it ("20 de conflicte", "1.000 de conflicte").
 */
export function countWith(n: number, one: string, many: string, lang: 'ro' | 'en'): string {
  const shown = n.toLocaleString(lang === 'ro' ? 'ro-RO' : 'en-US');
  const category = PLURALS[lang].select(n);
  if (category === 'one') return `${shown} ${one}`;
  return lang === 'ro' && category === 'other' ? `${shown} de ${many}` : `${shown} ${many}`;
}
