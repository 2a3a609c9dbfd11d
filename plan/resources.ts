// Resources (`Resurse necesare`, SPEC 3): human, time, financial, material, in the seed's many shorthands.
import { foldKey, normalizeValue } from './text';

export type ResourceKind = 'human' | 'time' | 'financial' | 'material';

export const RESOURCE_KINDS: readonly { kind: ResourceKind; ro: string; en: string }[] = [
  { kind: 'human', ro: 'Resurse umane', en: 'Human resources' },
  { kind: 'time', ro: 'Resurse de timp', en: 'Time' },
  { kind: 'financial', ro: 'Resurse financiare', en: 'Financial resources' },
  { kind: 'material', ro: 'Resurse materiale', en: 'Material resources' },
];

// Folded words after `Resurse` is dropped; the seed writes `Resurse umane; de timp; financiare`.
const WORDS: Record<string, ResourceKind> = {
  umane: 'human',
  uman: 'human',
  umana: 'human',
  personal: 'human',
  timp: 'time',
  financiare: 'financial',
  financiar: 'financial',
  financiara: 'financial',
  bugetare: 'financial',
  buget: 'financial',
  fonduri: 'financial',
  materiale: 'material',
  material: 'material',
  materiala: 'material',
  logistice: 'material',
};
// Words that join the kinds and carry no meaning of their own.
const FILLER = new Set(['resurse', 'resursa', 'resursele', 'de', 'si', 'and']);
// A plan may say no resources are needed: that is an answer, not an unknown word.
const NONE = new Set(['nu este cazul', 'nu e cazul', 'nu necesita', 'nu sunt necesare', 'fara']);

const SEPARATORS = /[,;/+\n]|\s(?:și|si|şi)\s/giu;

/**
 * The kinds of resources a cell names, in the order of RESOURCE_KINDS, each once; and the parts it could not read
 * (as the user wrote them), for a validation warning. Never throws.
 */
export function parseResources(text: string): { kinds: ResourceKind[]; unknown: string[] } {
  const found = new Set<ResourceKind>();
  const unknown: string[] = [];
  for (const rawPart of text.split(SEPARATORS)) {
    const part = normalizeValue(rawPart)
      .replace(/^[-\u2013\u2014.]+|[-\u2013\u2014.]+$/g, '')
      .trim();
    if (part === '') continue;
    const key = foldKey(part);
    if (NONE.has(key)) continue;
    const words = key.split(/[^a-z0-9]+/).filter((w) => w !== '');
    const kinds = words.filter((w) => !FILLER.has(w)).map((w) => WORDS[w]);
    if (kinds.length === 0 || kinds.some((k) => k === undefined)) {
      unknown.push(part);
      continue;
    }
    for (const kind of kinds) if (kind) found.add(kind);
  }
  return { kinds: RESOURCE_KINDS.map((r) => r.kind).filter((k) => found.has(k)), unknown };
}
