// Owners (`Responsabil pentru îndeplinirea acțiunilor`, SPEC 3): unit codes of the legend, units' full names, roles.
// Who owns a row decides which department may change it in the merge, so a code is recognised only as a whole
// word and exactly as the legend writes it: `DI` is never found inside `DIRECȚIA` or `CSDDPP`.
import type { Action, Plan, Unit } from './model';
import { foldKey, toCommaBelow } from './text';

export type OwnerToken =
  | { kind: 'unit'; code: string; text: string }
  | { kind: 'role'; role: string; text: string }
  | { kind: 'unknown'; text: string; suggestion?: string };

/**
 * Roles plans name instead of a unit: the label, then the folded phrases that name it. A phrase is found as whole
 * words anywhere in a part, so qualifiers after it (`Șefi departamente din aparatul de specialitate`,
 * `experți externi (după caz)`) need no entry of their own.
 */
export const ROLES: readonly { role: string; phrases: readonly string[] }[] = [
  { role: 'Conducerea instituției', phrases: ['conducerea institutiei', 'conducerea primariei', 'conducerea'] },
  { role: 'Primar', phrases: ['primar', 'primarul'] },
  { role: 'Viceprimar', phrases: ['viceprimar', 'viceprimarul', 'viceprimarii'] },
  { role: 'Secretar general', phrases: ['secretar general', 'secretarul general'] },
  { role: 'Administratorul public', phrases: ['administratorul public', 'administrator public'] },
  { role: 'Arhitect Șef', phrases: ['arhitect sef', 'arhitectul sef'] },
  { role: 'Consilier de etică', phrases: ['consilier de etica', 'consilierul de etica', 'consilier etic'] },
  { role: 'Consilier de integritate', phrases: ['consilier de integritate', 'consilierul de integritate'] },
  {
    role: 'Coordonatorul implementării Planului de Integritate al SNA',
    phrases: [
      'coordonatorul implementarii planului de integritate al sna',
      'coordonatorul implementarii planului de integritate',
      'coordonator planul de integritate',
      'coordonator sna',
    ],
  },
  { role: 'Coordonator CAF', phrases: ['coordonator caf', 'coordonatorul caf'] },
  { role: 'Coordonatorul planului', phrases: ['coordonatorul planului', 'coordonator plan', 'coordonatorul de plan'] },
  { role: 'Echipa CAF', phrases: ['echipa caf', 'echipa de autoevaluare caf', 'grupul de autoevaluare caf'] },
  { role: 'Comisia de Monitorizare', phrases: ['comisia de monitorizare'] },
  { role: 'Responsabil SMC', phrases: ['responsabil smc', 'responsabilul smc', 'responsabil calitate'] },
  { role: 'Responsabil SCIM', phrases: ['responsabil scim', 'responsabilul scim'] },
  {
    role: 'Responsabili procese',
    phrases: ['responsabili procese', 'responsabilii de procese', 'responsabili de proces', 'responsabil proces'],
  },
  { role: 'Responsabil GDPR', phrases: ['responsabil gdpr', 'responsabil protectia datelor', 'dpo'] },
  { role: 'Auditor intern', phrases: ['auditor intern', 'auditorul intern', 'auditul public intern'] },
  {
    role: 'Șefi departamente',
    phrases: ['sefi departamente', 'sefii departamentelor', 'sefi de departamente', 'sefii de departamente'],
  },
  {
    role: 'Șefi compartimente',
    phrases: ['sefi compartimente', 'sefii compartimentelor', 'sefi de compartimente', 'conducatorii compartimentelor'],
  },
  {
    role: 'Compartimentele din aparatul de specialitate',
    phrases: ['compartimentele din aparatul de specialitate', 'compartimentele aparatului de specialitate'],
  },
  {
    role: 'Compartimentele cu atribuții',
    phrases: ['compartimentele cu atributii', 'compartimentele responsabile', 'compartimentele implicate'],
  },
  { role: 'Toate compartimentele', phrases: ['toate compartimentele', 'toate directiile'] },
  {
    role: 'Compartimentul Relații Internaționale',
    phrases: ['compartimentul relatii internationale', 'compartimentul de relatii internationale'],
  },
  { role: 'Experți externi', phrases: ['experti externi', 'expertii externi', 'consultanti externi'] },
  {
    role: 'Echipe de proiect',
    phrases: ['echipe de proiect', 'echipa de proiect', 'echipele de proiect', 'echipa proiectului'],
  },
];

/** Suggestions are offered only this close (Damerau-Levenshtein edits) to a known code. */
export const MAX_SUGGESTION_DISTANCE = 2;
// An all-caps word this short is taken for a misspelt code; a longer one for a name written in capitals.
const MAX_CODE_LENGTH = 7;

// Parts are cut at these; inside a recognised unit name or role they are not (`Serviciul Imagine și Cultură`).
const SEPARATOR_RE = /[,;/\n\r+&]|\s(?:și|si)\s/giu;
const WORD_RE = /[\p{L}\p{N}]+/gu;
// Acronyms plans use that name no unit (programmes, standards, strategies): never taken for a misspelt code.
const NOT_CODES = new Set([
  'CAF',
  'SNA',
  'SMC',
  'SCIM',
  'PSI',
  'GDPR',
  'ISO',
  'UAT',
  'HCL',
  'PNRR',
  'POCA',
  'SIPOCA',
  'SMIS',
  'IT',
]);
const CODE_LIKE_RE = /^\p{Lu}[\p{Lu}\p{N}]+$/u;

/**
 * Damerau-Levenshtein distance (insertions, deletions, substitutions, transpositions of adjacent letters, with
 * further edits allowed between transposed letters).
 */
export function editDistance(a: string, b: string): number {
  const INF = a.length + b.length;
  const lastRow = new Map<string, number>();
  // d is (a.length + 2) x (b.length + 2), shifted by one so that index -1 exists.
  const width = b.length + 2;
  const d = new Array<number>((a.length + 2) * width).fill(0);
  const at = (i: number, j: number) => (i + 1) * width + (j + 1);
  d[at(-1, -1)] = INF;
  for (let i = 0; i <= a.length; i++) {
    d[at(i, -1)] = INF;
    d[at(i, 0)] = i;
  }
  for (let j = 0; j <= b.length; j++) {
    d[at(-1, j)] = INF;
    d[at(0, j)] = j;
  }
  for (let i = 1; i <= a.length; i++) {
    let lastMatchCol = 0;
    for (let j = 1; j <= b.length; j++) {
      const i1 = lastRow.get(b[j - 1]!) ?? 0;
      const j1 = lastMatchCol;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      if (cost === 0) lastMatchCol = j;
      d[at(i, j)] = Math.min(
        d[at(i - 1, j - 1)]! + cost,
        d[at(i, j - 1)]! + 1,
        d[at(i - 1, j)]! + 1,
        d[at(i1 - 1, j1 - 1)]! + (i - i1 - 1) + 1 + (j - j1 - 1),
      );
    }
    lastRow.set(a[i - 1]!, i);
  }
  return d[at(a.length, b.length)]!;
}

/** The known code nearest to `word` (case-insensitive), within MAX_SUGGESTION_DISTANCE edits; ties: alphabetical. */
export function nearestCode(word: string, codes: readonly string[]): string | undefined {
  const target = word.toUpperCase();
  let best: { code: string; distance: number } | undefined;
  for (const code of [...codes].sort()) {
    const distance = editDistance(target, code.toUpperCase());
    if (distance <= MAX_SUGGESTION_DISTANCE && (!best || distance < best.distance)) best = { code, distance };
  }
  return best?.code;
}

interface Phrase {
  key: string;
  token: { kind: 'unit'; code: string } | { kind: 'role'; role: string };
}

interface Vocabulary {
  phrases: Phrase[];
  /** Folded shortened unit names, recognised only as a whole part. */
  prefixes: Map<string, string>;
  codes: Set<string>;
  codesByUpper: Map<string, string>;
  codeList: string[];
}

// Callers pass the same legend for every row; the signature guards against a legend changed in place.
const vocabularies = new WeakMap<readonly Unit[], { signature: string; vocab: Vocabulary }>();

function significantWords(words: readonly string[]): number {
  return words.filter((w) => w.length >= 3).length;
}

/**
 * Unit phrases are the legend's full names, found anywhere. A part that is, as a whole, a shorter start of one
 * unit's name (two meaningful words at least, shared by no other unit) names that unit too: plans shorten the
 * legend's long names (`Comisia de Monitorizare` for `CMON - Comisia de Monitorizare pentru supervizarea ...`).
 * Only a whole part, so that `Direcția Generală de Asistență Socială` never becomes `Direcția Generală ...` of the
 * legend. A unit phrase beats a role phrase of the same length.
 */
function vocabulary(units: readonly Unit[]): Vocabulary {
  const signature = units.map((u) => `${u.code}\u0000${u.name}`).join('\u0001');
  const cached = vocabularies.get(units);
  if (cached && cached.signature === signature) return cached.vocab;
  const named = units
    .map((u) => ({
      code: u.code.trim(),
      words: foldKey(u.name)
        .replace(/[;.,:]+$/, '')
        .split(' ')
        .filter(Boolean),
    }))
    .filter((u) => u.code !== '' && u.words.length > 0);
  const phrases: Phrase[] = [];
  const prefixes = new Map<string, string>();
  for (const unit of named) {
    phrases.push({ key: unit.words.join(' '), token: { kind: 'unit', code: unit.code } });
    for (let n = unit.words.length - 1; n >= 2; n--) {
      const prefix = unit.words.slice(0, n);
      if (significantWords(prefix) < 2) break;
      const key = prefix.join(' ');
      if (named.some((other) => other !== unit && (other.words.join(' ') + ' ').startsWith(key + ' '))) break;
      prefixes.set(key, unit.code);
    }
  }
  for (const role of ROLES)
    for (const key of role.phrases) phrases.push({ key, token: { kind: 'role', role: role.role } });
  const codeList = [...new Set(named.map((u) => u.code))];
  const vocab: Vocabulary = {
    phrases,
    prefixes,
    codes: new Set(codeList),
    codesByUpper: new Map(codeList.map((c) => [c.toUpperCase(), c])),
    codeList,
  };
  vocabularies.set(units, { signature, vocab });
  return vocab;
}

/** The text folded for matching, with the index in the source where each folded character starts and ends. */
function foldWithMap(src: string): { folded: string; start: number[]; end: number[] } {
  let folded = '';
  const start: number[] = [];
  const end: number[] = [];
  let i = 0;
  for (const ch of src) {
    const next = i + ch.length;
    if (/\s/u.test(ch)) {
      if (folded !== '' && !folded.endsWith(' ')) {
        folded += ' ';
        start.push(i);
        end.push(next);
      }
    } else {
      for (const f of foldKey(ch)) {
        folded += f;
        start.push(i);
        end.push(next);
      }
    }
    i = next;
  }
  return { folded, start, end };
}

const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

interface Span {
  from: number;
  to: number;
  token: Phrase['token'];
}

/** Unit names and roles found as whole words; longest first, then leftmost; never overlapping. */
function findPhrases(src: string, vocab: Vocabulary): Span[] {
  const { folded, start, end } = foldWithMap(src);
  const found: { from: number; to: number; length: number; order: number; token: Phrase['token'] }[] = [];
  vocab.phrases.forEach((phrase, order) => {
    for (let at = folded.indexOf(phrase.key); at !== -1; at = folded.indexOf(phrase.key, at + 1)) {
      const after = at + phrase.key.length;
      if (isWordChar(folded[at - 1]) || isWordChar(folded[after])) continue;
      found.push({ from: start[at]!, to: end[after - 1]!, length: phrase.key.length, order, token: phrase.token });
    }
  });
  found.sort((a, b) => b.length - a.length || a.from - b.from || a.order - b.order);
  const chosen: Span[] = [];
  for (const f of found) {
    if (chosen.some((c) => f.from < c.to && c.from < f.to)) continue;
    chosen.push({ from: f.from, to: f.to, token: f.token });
  }
  return chosen.sort((a, b) => a.from - b.from);
}

/** [from, to) of each part between separators, a separator inside a recognised phrase not counting. */
function parts(src: string, spans: readonly Span[]): [number, number][] {
  const result: [number, number][] = [];
  let from = 0;
  for (const m of src.matchAll(SEPARATOR_RE)) {
    const at = m.index;
    if (spans.some((s) => at >= s.from && at < s.to)) continue;
    result.push([from, at]);
    from = at + m[0].length;
  }
  result.push([from, src.length]);
  return result;
}

function tokensOfPart(src: string, from: number, to: number, spans: readonly Span[], vocab: Vocabulary): OwnerToken[] {
  const text = src.slice(from, to).trim();
  if (!/[\p{L}\p{N}]/u.test(text)) return []; // empty, `--`
  const whole = vocab.codesByUpper.get(text.toUpperCase());
  if (whole) return [{ kind: 'unit', code: whole, text }];
  const shortened = vocab.prefixes.get(foldKey(text).replace(/[;.,:]+$/, ''));
  if (shortened) return [{ kind: 'unit', code: shortened, text }];

  const inside = spans.filter((s) => s.from >= from && s.to <= to);
  const positioned: { at: number; token: OwnerToken }[] = inside.map((s) => ({
    at: s.from,
    token:
      s.token.kind === 'unit'
        ? { kind: 'unit', code: s.token.code, text: src.slice(s.from, s.to) }
        : { kind: 'role', role: s.token.role, text: src.slice(s.from, s.to) },
  }));
  let rest = src.slice(0, to);
  for (const s of inside) rest = rest.slice(0, s.from) + ' '.repeat(s.to - s.from) + rest.slice(s.to);
  for (const m of rest.slice(from).matchAll(WORD_RE)) {
    const word = m[0];
    const at = from + m.index;
    if (vocab.codes.has(word)) {
      positioned.push({ at, token: { kind: 'unit', code: word, text: word } });
    } else if (CODE_LIKE_RE.test(word) && word.length <= MAX_CODE_LENGTH && !NOT_CODES.has(word)) {
      const suggestion = nearestCode(word, vocab.codeList);
      positioned.push({
        at,
        token: suggestion ? { kind: 'unknown', text: word, suggestion } : { kind: 'unknown', text: word },
      });
    }
    // Other words beside a code or role are a person's name or a qualifier (`Rădulescu Mihaela - SIC`).
  }
  if (positioned.length === 0) {
    const single =
      /^[\p{L}\p{N}]+$/u.test(text) && text.length <= MAX_CODE_LENGTH ? nearestCode(text, vocab.codeList) : undefined;
    return [single ? { kind: 'unknown', text, suggestion: single } : { kind: 'unknown', text }];
  }
  return positioned.sort((a, b) => a.at - b.at).map((p) => p.token);
}

function tokenKey(token: OwnerToken): string {
  return token.kind === 'unit' ? `u:${token.code}` : token.kind === 'role' ? `r:${token.role}` : `?:${token.text}`;
}

/**
 * The owners a cell names, in the order written, each once. Parts are cut at `,` `;` `/` `+` `&`, new lines and
 * ` și `; in each part: a unit's code as a whole word (exactly as the legend writes it, or the whole part in any
 * case), a unit's full name or a distinctive start of it, a role (ROLES); an all-caps word of up to 7 letters that
 * is no code is `unknown` with the nearest code as `suggestion` (at most 2 edits); a part with nothing recognised
 * is `unknown` as a whole. `text` is the words that gave the token. Never throws.
 */
export function parseOwners(text: string, units: readonly Unit[]): OwnerToken[] {
  const vocab = vocabulary(units);
  const src = toCommaBelow(text);
  const spans = findPhrases(src, vocab);
  const seen = new Set<string>();
  const tokens: OwnerToken[] = [];
  for (const [from, to] of parts(src, spans)) {
    for (const token of tokensOfPart(src, from, to, spans, vocab)) {
      const key = tokenKey(token);
      if (seen.has(key)) continue;
      seen.add(key);
      tokens.push(token);
    }
  }
  return tokens;
}

/** The unit codes a cell names: sorted, each once. Unknown words count not even when a suggestion exists. */
export function ownerCodes(text: string, units: readonly Unit[]): string[] {
  const codes = new Set<string>();
  for (const token of parseOwners(text, units)) if (token.kind === 'unit') codes.add(token.code);
  return [...codes].sort();
}

/** The actions a unit owns (alone or with others), in the plan's order. */
export function actionsOfUnit(plan: Plan, unit: string): Action[] {
  return plan.actions.filter((a) => ownerCodes(a.text.owners, plan.units).includes(unit));
}

/** The owners helper column's value: `;DMRU;SIC;` (so `*;SIC;*` filters by unit), '' when none. */
export function ownerCodesCell(codes: readonly string[]): string {
  const unique = [...new Set(codes.map((c) => c.trim()).filter(Boolean))].sort();
  return unique.length === 0 ? '' : `;${unique.join(';')};`;
}

/** The codes of an owners helper cell (`;DMRU;SIC;` gives DMRU, SIC). */
export function parseOwnerCodesCell(cell: string): string[] {
  return [
    ...new Set(
      cell
        .split(';')
        .map((c) => c.trim())
        .filter(Boolean),
    ),
  ].sort();
}
