// Human names for the codes the product keeps (conflict kinds, submission channels), one table each, used by every
// text a person reads: the coordinator's page, the department page, the workbook's Conflicte sheet, the CLI.
import type { Bilingual } from './model';
import type { ConflictKind } from './report';
import { countWith } from './text';

/** One name per conflict kind, the same on the page and in the merged workbook. */
export const CONFLICT_KIND_LABELS: Record<ConflictKind, Bilingual> = {
  'not-owner': { ro: 'Unitatea nu este responsabilă', en: 'Unit not responsible' },
  'locked-column': { ro: 'Coloană needitabilă', en: 'Column not editable' },
  'invalid-value': { ro: 'Valoare invalidă', en: 'Invalid value' },
  'coordinator-edit': { ro: 'Modificată și de coordonator', en: 'Also changed by the coordinator' },
  'concurrent-edit': { ro: 'Valori diferite de la mai multe unități', en: 'Different values from several units' },
  'row-added': { ro: 'Rând adăugat în copie', en: 'Row added in a copy' },
  'row-deleted': { ro: 'Rând șters din copie', en: 'Row deleted from a copy' },
  'unknown-row': { ro: 'Rând fără ID recunoscut', en: 'Row without a known ID' },
};

/** How a submission reached the service, as its receipt and the coordinator's page say it ("prin ..."). */
export const CHANNEL_LABELS: Record<string, Bilingual> = {
  page: { ro: 'pagina unității', en: 'the department page' },
  addin: { ro: 'add-in-ul Excel', en: 'the Excel add-in' },
  upload: { ro: 'încărcarea unui fișier', en: 'a file upload' },
  api: { ro: 'API (token de acces)', en: 'the API (access token)' },
  folder: { ro: 'dosarul comun', en: 'the shared folder' },
  drive: { ro: 'Google Drive', en: 'Google Drive' },
};

export function channelLabel(source: string, lang: 'ro' | 'en'): string {
  return CHANNEL_LABELS[source]?.[lang] ?? source;
}

/** The receipt's sentence: what the next merge will apply and refuse, by which channel it came, with plural forms. */
export function receiptMessage(input: {
  willApply: number;
  refused: number;
  currentRevision: number;
  source: string;
}): Bilingual {
  const { willApply, refused, currentRevision, source } = input;
  const ro = [
    `Primit prin ${channelLabel(source, 'ro')}.`,
    willApply === 0
      ? 'La următoarea îmbinare nu se va aplica nicio modificare.'
      : `La următoarea îmbinare se ${willApply === 1 ? 'va' : 'vor'} aplica ${countWith(willApply, 'modificare', 'modificări', 'ro')}.`,
    refused === 0
      ? 'Nicio modificare nu este refuzată.'
      : `${countWith(refused, 'modificare este refuzată', 'modificări sunt refuzate', 'ro')} (motivele sunt mai jos).`,
    `Calculat față de revizia ${currentRevision}; îmbinarea poate găsi și conflicte cu trimiterile altor unități.`,
  ];
  const en = [
    `Received via ${channelLabel(source, 'en')}.`,
    willApply === 0
      ? 'The next merge will apply no change.'
      : `The next merge will apply ${countWith(willApply, 'change', 'changes', 'en')}.`,
    refused === 0
      ? 'No change is refused.'
      : `${countWith(refused, 'change is', 'changes are', 'en')} refused (reasons below).`,
    `Computed against revision ${currentRevision}; the merge may also find conflicts with other units' submissions.`,
  ];
  return { ro: ro.join(' '), en: en.join(' ') };
}
