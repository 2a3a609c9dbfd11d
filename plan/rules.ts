// The validation rules (SPEC 4): one id per thing a coordinator has to fix, each with a fixed severity.
// The reader (plan/grid.ts) and the validator (plan/validate.ts) both report through `finding`, so a rule's
// severity is decided here once and documented for the UI and the CLI.
import type { Bilingual, Finding, Severity } from './model';

export interface Rule {
  severity: Severity;
  description: Bilingual;
}

export const RULES = {
  // The reader's own findings: what it could not understand in the workbook.
  'no-header': {
    severity: 'error',
    description: {
      ro: 'Nicio foaie nu are un rând de antet al planului (Acțiuni necesare, Responsabil, Termen ...) în primele 30 de rânduri.',
      en: 'No sheet has a plan header row (Acțiuni necesare, Responsabil, Termen ...) in its first 30 rows.',
    },
  },
  'column-missing': {
    severity: 'error',
    description: {
      ro: 'Tabelul nu are una dintre coloanele obligatorii: acțiune, responsabil, termen.',
      en: 'The table lacks one of the required columns: action, owners, deadline.',
    },
  },
  'result-column-missing': {
    severity: 'warning',
    description: {
      ro: 'Tabelul nu are coloana de rezultate măsurabile.',
      en: 'The table has no measurable results column.',
    },
  },
  'plan-sheet-unread': {
    severity: 'error',
    description: {
      ro: 'O foaie ascunsă conține și ea un tabel al planului și nu este citită; acțiunile ei lipsesc din plan.',
      en: 'A hidden sheet also holds a plan table and is not read; its actions are missing from the plan.',
    },
  },
  'meta-invalid': {
    severity: 'error',
    description: {
      ro: 'Foaia ascunsă _caf_plan are metadate lipsă sau greșite (planId, revision, schemaVersion ...).',
      en: 'The hidden _caf_plan sheet has missing or bad metadata (planId, revision, schemaVersion ...).',
    },
  },
  'cell-too-long': {
    severity: 'error',
    description: {
      ro: 'O celulă depășește limita Excel de 32.767 de caractere.',
      en: "A cell exceeds Excel's limit of 32,767 characters.",
    },
  },
  'no-legend': {
    severity: 'warning',
    description: {
      ro: 'Nu există legendă (Legendă: COD - Denumire): codurile responsabililor nu pot fi verificate.',
      en: 'There is no legend (Legendă: CODE - Name): owner codes cannot be checked.',
    },
  },
  'legend-line': {
    severity: 'warning',
    description: {
      ro: 'Un rând al legendei nu are forma COD - Denumire.',
      en: 'A legend line is not of the form CODE - Name.',
    },
  },
  'legend-duplicate': {
    severity: 'warning',
    description: {
      ro: 'Același cod apare de două ori în legendă, cu denumiri diferite.',
      en: 'The same code appears twice in the legend with different names.',
    },
  },
  // Row checks.
  'required-field': {
    severity: 'error',
    description: {
      ro: 'O acțiune nu are text, responsabil sau termen: nu poate fi atribuită unui compartiment sau urmărită în timp.',
      en: 'An action has no text, owner or deadline: it cannot be assigned to a unit or tracked in time.',
    },
  },
  'result-missing': {
    severity: 'warning',
    description: {
      ro: 'O acțiune nu are rezultate măsurabile (planul rămâne utilizabil, dar acțiunea nu poate fi evaluată).',
      en: 'An action has no measurable result (the plan stays usable, but the action cannot be assessed).',
    },
  },
  'deadline-format': {
    severity: 'error',
    description: {
      ro: 'Termenul nu este recunoscut (ex.: SEM. II 2023, TRIM. III 2023, 30.06.2023, Permanent).',
      en: 'The deadline is not recognised (e.g. SEM. II 2023, TRIM. III 2023, 30.06.2023, Permanent).',
    },
  },
  'deadline-implausible': {
    severity: 'warning',
    description: {
      ro: 'Termenul este cu peste 10 ani înainte sau după data de azi (probabil o greșeală de tastare).',
      en: 'The deadline is more than 10 years before or after today (probably a typo).',
    },
  },
  'owner-unknown': {
    severity: 'warning',
    description: {
      ro: 'Un responsabil nu este un cod din legendă, o denumire de compartiment sau un rol cunoscut.',
      en: 'An owner is not a legend code, a unit name or a known role.',
    },
  },
  'status-invalid': {
    severity: 'error',
    description: {
      ro: 'Starea nu este una dintre: Neînceput, În curs, Parțial realizat, Realizat, Amânat, Anulat.',
      en: 'The status is not one of: Neînceput, În curs, Parțial realizat, Realizat, Amânat, Anulat.',
    },
  },
  'resources-unknown': {
    severity: 'warning',
    description: {
      ro: 'Resursele nu sunt din vocabular: umane, de timp, financiare, materiale.',
      en: 'The resources are not in the vocabulary: human, time, financial, material.',
    },
  },
  'id-format': {
    severity: 'error',
    description: {
      ro: 'ID-ul acțiunii lipsește sau nu are forma criteriu.subcriteriu.număr (ex.: 1.1.1); rândul nu poate fi potrivit la comasare.',
      en: 'The action id is missing or not of the form criterion.subcriterion.number (e.g. 1.1.1); the row cannot be matched in a merge.',
    },
  },
  'id-duplicate': {
    severity: 'error',
    description: {
      ro: 'Două acțiuni au același ID.',
      en: 'Two actions have the same id.',
    },
  },
  'action-outside-subcriterion': {
    severity: 'error',
    description: {
      ro: 'O acțiune nu se află sub niciun subcriteriu (rând de forma 1.1: ...).',
      en: 'An action is not under any subcriterion (a row such as 1.1: ...).',
    },
  },
  'number-missing': {
    severity: 'error',
    description: {
      ro: 'O acțiune fără coloană ID nu începe cu numărul ei (ex.: 1. Comunicarea ...), deci nu are ID.',
      en: 'An action without an ID column does not start with its number (e.g. 1. Comunicarea ...), so it has no id.',
    },
  },
  'numbering-gap': {
    severity: 'warning',
    description: {
      ro: 'Numerotarea acțiunilor unui subcriteriu are goluri sau nu este în ordine.',
      en: "The numbering of a subcriterion's actions has gaps or is out of order.",
    },
  },
  'criterion-unknown': {
    severity: 'error',
    description: {
      ro: 'Criteriul nu există în modelul CAF 2020 (1-9).',
      en: 'The criterion does not exist in the CAF 2020 model (1-9).',
    },
  },
  'subcriterion-unknown': {
    severity: 'error',
    description: {
      ro: 'Subcriteriul nu există în modelul CAF 2020 (28 de subcriterii, de la 1.1 la 9.2).',
      en: 'The subcriterion does not exist in the CAF 2020 model (28 subcriteria, 1.1 to 9.2).',
    },
  },
  'subcriterion-misplaced': {
    severity: 'warning',
    description: {
      ro: 'Subcriteriul apare sub alt criteriu decât al său (ex.: 2.1 sub CRITERIUL 1).',
      en: 'The subcriterion appears under another criterion than its own (e.g. 2.1 under CRITERION 1).',
    },
  },
  'title-differs': {
    severity: 'warning',
    description: {
      ro: 'Titlul criteriului sau subcriteriului diferă de cel din modelul CAF 2020 (nu doar prin diacritice sau prescurtare).',
      en: 'The criterion or subcriterion title differs from CAF 2020 (beyond diacritics or shortening).',
    },
  },
} as const satisfies Record<string, Rule>;

export type RuleId = keyof typeof RULES;

/** Texts quoted in messages are cut so a 30,000-character cell does not flood the findings list. */
export function quote(text: string, max = 80): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return `„${oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine}”`;
}

export function finding(
  rule: RuleId,
  message: Bilingual,
  where: { rowId?: string; sheet?: string; cell?: string } = {},
): Finding {
  const out: Finding = { rule, severity: RULES[rule].severity, message };
  if (where.rowId) out.rowId = where.rowId;
  if (where.sheet !== undefined) out.sheet = where.sheet;
  if (where.cell) out.cell = where.cell;
  return out;
}
