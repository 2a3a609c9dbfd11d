// The CAF 2020 model (CAF2020.md): 9 criteria and 28 subcriteria, Romanian titles as plans write them, English from
// the EIPA / EUPAN CAF 2020 model. Plans shorten or reword titles: match by code, compare titles only to warn.
import { foldKey } from './text';

export interface CafCriterion {
  code: string;
  ro: string;
  en: string;
}

export interface CafSubcriterion {
  code: string;
  criterion: string;
  ro: string;
  en: string;
}

/** Criteria 1-5 are the enablers, 6-9 the results. */
export const CRITERIA: readonly CafCriterion[] = [
  { code: '1', ro: 'Leadership', en: 'Leadership' },
  { code: '2', ro: 'Strategie și planificare', en: 'Strategy and Planning' },
  { code: '3', ro: 'Managementul personalului', en: 'People' },
  { code: '4', ro: 'Managementul parteneriatelor (și resurselor)', en: 'Partnerships and Resources' },
  { code: '5', ro: 'Procese', en: 'Processes' },
  { code: '6', ro: 'Rezultate orientate către client/cetățean', en: 'Citizen/Customer-oriented Results' },
  { code: '7', ro: 'Rezultate referitoare la angajați', en: 'People Results' },
  { code: '8', ro: 'Rezultate privind responsabilitatea socială', en: 'Social Responsibility Results' },
  { code: '9', ro: 'Rezultate cheie ale performanțelor', en: 'Key Performance Results' },
];

export const SUBCRITERIA: readonly CafSubcriterion[] = [
  {
    code: '1.1',
    criterion: '1',
    ro: 'Liderii stabilesc direcția organizației prin dezvoltarea misiunii, viziunii și valorilor acesteia',
    en: 'Provide direction for the organisation by developing its mission, vision and values',
  },
  {
    code: '1.2',
    criterion: '1',
    ro: 'Liderii gestionează organizația, performanțele acesteia și continuă să îmbunătățească',
    en: 'Manage the organisation, its performance and its continuous improvement',
  },
  {
    code: '1.3',
    criterion: '1',
    ro: 'Liderii îi inspiră, îi motivează și îi susțin pe angajații organizației și acționează ca modele de urmat',
    en: 'Inspire, motivate and support people in the organisation and act as a role model',
  },
  {
    code: '1.4',
    criterion: '1',
    ro: 'Liderii mențin relații eficiente cu autoritățile politice și cu alți factori interesați',
    en: 'Manage effective relations with political authorities and other stakeholders',
  },
  {
    code: '2.1',
    criterion: '2',
    ro: 'Sunt identificate nevoile prezente și viitoare ale factorilor interesați și ale mediului extern și informațiile relevante de management',
    en: 'Identify the needs and expectations of the stakeholders, the external environment and the relevant management information',
  },
  {
    code: '2.2',
    criterion: '2',
    ro: 'Strategia și planurile sunt dezvoltate ținând cont de informațiile colectate',
    en: 'Develop strategies and plans based on gathered information',
  },
  {
    code: '2.3',
    criterion: '2',
    ro: 'Strategia și planurile sunt comunicate și implementate în întreaga organizație și analizate periodic',
    en: 'Communicate, implement and review strategies and plans',
  },
  {
    code: '2.4',
    criterion: '2',
    ro: 'Sunt planificate, implementate și analizate inovări și schimbări',
    en: 'Manage change and innovation to ensure the agility and resilience of the organisation',
  },
  {
    code: '3.1',
    criterion: '3',
    ro: 'Resursele umane sunt gestionate și îmbunătățite pentru a susține strategia și planificarea',
    en: 'Manage and improve human resources to support the strategy of the organisation',
  },
  {
    code: '3.2',
    criterion: '3',
    ro: 'Competențele personalului sunt dezvoltate și gestionate',
    en: 'Develop and manage competencies of people',
  },
  {
    code: '3.3',
    criterion: '3',
    ro: 'Personalul este implicat și responsabilizat (empowerment), asigurându-i-se starea de bine',
    en: 'Involve and empower the people and support their well-being',
  },
  {
    code: '4.1',
    criterion: '4',
    ro: 'Sunt dezvoltate și gestionate parteneriate cu organizații relevante',
    en: 'Develop and manage partnerships with relevant organisations',
  },
  {
    code: '4.2',
    criterion: '4',
    ro: 'Sunt dezvoltate și implementate parteneriate cu cetățenii și organizații ale societății civile',
    en: 'Collaborate with citizens and civil society organisations',
  },
  { code: '4.3', criterion: '4', ro: 'Managementul financiar', en: 'Manage finances' },
  {
    code: '4.4',
    criterion: '4',
    ro: 'Managementul informațiilor și al cunoștințelor',
    en: 'Manage information and knowledge',
  },
  { code: '4.5', criterion: '4', ro: 'Managementul tehnologiei', en: 'Manage technology' },
  { code: '4.6', criterion: '4', ro: 'Managementul clădirilor și al echipamentelor', en: 'Manage facilities' },
  {
    code: '5.1',
    criterion: '5',
    ro: 'Proiectează și gestionează procesele, pentru a crește valoarea pentru cetățeni și clienți',
    en: 'Design and manage processes to increase value for citizens and customers',
  },
  {
    code: '5.2',
    criterion: '5',
    ro: 'Dezvoltă și livrează servicii și produse pentru clienți, cetățeni, stakeholder-i și societate',
    en: 'Deliver products and services for customers, citizens, stakeholders and society',
  },
  {
    code: '5.3',
    criterion: '5',
    ro: 'Coordonează procesele care au loc în întreaga organizație și cu alte organizații relevante',
    en: 'Coordinate processes across the organisation and with other relevant organisations',
  },
  { code: '6.1', criterion: '6', ro: 'Indicatori privind percepția', en: 'Perception measurements' },
  { code: '6.2', criterion: '6', ro: 'Indicatori de performanță', en: 'Performance measurements' },
  { code: '7.1', criterion: '7', ro: 'Indicatori privind percepția', en: 'Perception measurements' },
  { code: '7.2', criterion: '7', ro: 'Indicatori de performanță', en: 'Performance measurements' },
  { code: '8.1', criterion: '8', ro: 'Indicatori privind percepția', en: 'Perception measurements' },
  { code: '8.2', criterion: '8', ro: 'Indicatori de performanță', en: 'Performance measurements' },
  {
    code: '9.1',
    criterion: '9',
    ro: 'Rezultate externe: rezultate imediate și efecte ale îndeplinirii obiectivelor',
    en: 'External results: output and public value',
  },
  {
    code: '9.2',
    criterion: '9',
    ro: 'Rezultate interne: nivelul eficienței',
    en: 'Internal results: level of efficiency',
  },
];

const CRITERION_BY_CODE = new Map(CRITERIA.map((c) => [c.code, c]));
const SUBCRITERION_BY_CODE = new Map(SUBCRITERIA.map((s) => [s.code, s]));

/** A code as plans write it: `1`, ` 6 `, `2.1.`, `3,2` (a decimal comma from a number cell). */
function canonicalCode(code: string | number): string {
  return String(code).trim().replace(',', '.').replace(/\.$/, '');
}

/** The criterion with this code (`'1'`..`'9'`), or undefined. */
export function findCriterion(code: string | number): CafCriterion | undefined {
  return CRITERION_BY_CODE.get(canonicalCode(code));
}

/** The subcriterion with this code (`'1.1'`..`'9.2'`), or undefined. */
export function findSubcriterion(code: string | number): CafSubcriterion | undefined {
  return SUBCRITERION_BY_CODE.get(canonicalCode(code));
}

/**
 * Whether a title a plan writes names the same thing as the model's: compared on folded keys without punctuation,
 * and a title that is a prefix of the model's (or the reverse) counts, since plans shorten titles.
 * The English title counts too.
 */
export function titleMatches(written: string, model: { ro: string; en: string }): boolean {
  const key = titleKey(written);
  if (key === '') return false;
  return [model.ro, model.en].some((title) => {
    const modelKey = titleKey(title);
    return modelKey === key || modelKey.startsWith(key) || key.startsWith(modelKey);
  });
}

function titleKey(text: string): string {
  return foldKey(text.replace(/[^\p{L}\p{N}\s]+/gu, ' '));
}
