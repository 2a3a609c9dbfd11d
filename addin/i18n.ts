// Every string the task pane shows, Romanian first. Plan vocabulary (statuses, deadline states, CAF criteria, rule
// descriptions) keeps its bilingual tables in plan/; this file holds the pane's own words only.
import type { Bilingual } from '../plan/model';
import type { DeadlineState } from '../plan/state';
import { countWith } from '../plan/text';

export type Lang = 'ro' | 'en';
export const LANGS: readonly Lang[] = ['ro', 'en'];

const STRINGS = {
  appTitle: { ro: 'Plan CAF', en: 'CAF plan' },
  appSubtitle: {
    ro: 'Planul de măsuri de îmbunătățire CAF 2020',
    en: 'The CAF 2020 improvement action plan',
  },
  language: { ro: 'Limba', en: 'Language' },
  languageName: { ro: 'Română', en: 'English' },
  working: { ro: 'Se lucrează…', en: 'Working…' },
  stepReading: { ro: 'Se citește registrul din Excel…', en: 'Reading the workbook from Excel…' },
  stepChecking: { ro: 'Se verifică planul…', en: 'Checking the plan…' },
  stepWriting: { ro: 'Se scrie în registru…', en: 'Writing to the workbook…' },
  done: { ro: 'Gata.', en: 'Done.' },

  prepareTitle: { ro: 'Pregătire', en: 'Prepare' },
  prepareHelp: {
    ro: 'Adaugă la dreapta tabelului coloanele ID și Stare, două coloane ajutătoare ascunse și metadatele planului. Nimic din tabel nu se mută.',
    en: 'Adds the ID and Stare columns at the right of the table, two hidden helper columns and the plan metadata. Nothing in the table moves.',
  },
  prepareButton: { ro: 'Pregătește planul', en: 'Prepare the plan' },
  prepareDone: {
    ro: 'Plan pregătit: {actions#acțiune|acțiuni}, {units#compartiment|compartimente} în legendă.',
    en: 'Plan prepared: {actions#action|actions}, {units#unit|units} in the legend.',
  },

  validateTitle: { ro: 'Validare', en: 'Validate' },
  mappingTitle: { ro: 'Coloane înțelese', en: 'Columns understood' },
  mappingHelp: {
    ro: 'Antetul de pe rândul {row} al foii {sheet}. Dacă un câmp e citit din altă coloană decât trebuie, alegeți coloana corectă; alegerea se păstrează în registru.',
    en: 'The header on row {row} of sheet {sheet}. If a field is read from the wrong column, choose the right one; the choice is kept in the workbook.',
  },
  mappingSaved: {
    ro: 'Coloana {column} a fost aleasă; planul a fost citit din nou.',
    en: 'Column {column} chosen; the plan was read again.',
  },
  mappingNone: { ro: '(nicio coloană)', en: '(no column)' },
  validateButton: { ro: 'Validează planul', en: 'Validate the plan' },
  validateDone: {
    ro: '{actions#acțiune verificată|acțiuni verificate}: {errors#eroare|erori}, {warnings#avertisment|avertismente}.',
    en: '{actions#action|actions} checked: {errors#error|errors}, {warnings#warning|warnings}.',
  },
  validateClean: { ro: 'Nicio problemă: planul este valid.', en: 'No problems: the plan is valid.' },
  validateDoneUnit: {
    ro: '{actions#acțiune|acțiuni} ale unității {unit} verificate: {errors#eroare|erori}, {warnings#avertisment|avertismente}.',
    en: '{actions#action|actions} of the unit {unit} checked: {errors#error|errors}, {warnings#warning|warnings}.',
  },
  validateCleanUnit: {
    ro: 'Nicio problemă în rândurile unității {unit}.',
    en: 'No problems in the rows of the unit {unit}.',
  },
  severityError: { ro: 'Erori', en: 'Errors' },
  severityWarning: { ro: 'Avertismente', en: 'Warnings' },
  findingHint: {
    ro: 'Apăsați pe o problemă (sau Enter) pentru a selecta celula ei în Excel.',
    en: 'Click a problem (or press Enter) to select its cell in Excel.',
  },
  selectedCell: { ro: 'Celula {cell} este selectată.', en: 'Cell {cell} is selected.' },

  deadlinesTitle: { ro: 'Termene', en: 'Deadlines' },
  soonDaysLabel: { ro: 'Zile înainte de termen', en: 'Days before due' },
  soonDaysHelp: {
    ro: 'O acțiune are „termen apropiat” dacă scadența cade în atâtea zile.',
    en: 'An action is “due soon” when it falls due within this many days.',
  },
  soonDaysInvalid: {
    ro: 'Introduceți un număr întreg de zile între 0 și 365.',
    en: 'Enter a whole number of days between 0 and 365.',
  },
  highlightButton: { ro: 'Evidențiază termenele', en: 'Highlight deadlines' },
  highlightDone: {
    ro: 'Termenele sunt evidențiate la data de {today}. Culorile se actualizează singure în Excel.',
    en: 'Deadlines highlighted as of {today}. Excel keeps the colours up to date by itself.',
  },
  legendTitle: { ro: 'Legendă', en: 'Legend' },
  legendEmpty: {
    ro: 'Evidențiați termenele sau validați planul pentru a vedea numărul de acțiuni pe fiecare stare.',
    en: 'Highlight deadlines or validate the plan to see how many actions are in each state.',
  },

  filtersTitle: { ro: 'Filtre', en: 'Filters' },
  unitLabel: { ro: 'Compartiment', en: 'Unit' },
  criterionLabel: { ro: 'Criteriu CAF', en: 'CAF criterion' },
  stateLabel: { ro: 'Stare termen', en: 'Deadline state' },
  anyOption: { ro: '(toate)', en: '(all)' },
  unitsUnknown: {
    ro: 'Lista compartimentelor vine din legenda planului: validați sau pregătiți planul întâi.',
    en: "The list of units comes from the plan's legend: validate or prepare the plan first.",
  },
  applyFilter: { ro: 'Aplică filtrul', en: 'Apply filter' },
  clearFilter: { ro: 'Șterge filtrul', en: 'Clear filter' },
  filterApplied: {
    ro: 'Filtru aplicat: {shown} din {total#acțiune afișată|acțiuni afișate}.',
    en: 'Filter applied: {shown} of {total#action|actions} shown.',
  },
  filterCleared: {
    ro: 'Filtrul a fost șters: toate rândurile sunt afișate.',
    en: 'Filter cleared: all rows are shown.',
  },
  filterNone: { ro: 'Alegeți cel puțin un criteriu de filtrare.', en: 'Choose at least one filter criterion.' },

  summaryTitle: { ro: 'Sinteză', en: 'Summary' },
  summaryButton: { ro: 'Actualizează sinteza', en: 'Refresh summary' },
  summaryCaption: {
    ro: 'Acțiuni pe stare la {today} ({total#acțiune|acțiuni} în plan)',
    en: 'Actions by state on {today} ({total#action|actions} in the plan)',
  },
  summaryPlan: { ro: 'Tot planul', en: 'Whole plan' },
  summaryUnit: { ro: 'Cod', en: 'Code' },
  summaryTotal: { ro: 'Total', en: 'Total' },
  summaryNote: {
    ro: 'O acțiune cu mai mulți responsabili este numărată la fiecare compartiment.',
    en: 'An action with several owners counts for each of its units.',
  },

  modeDepartment: {
    ro: 'Copie pentru {unit}: completați Stare și Monitorizare pe rândurile unității, apoi trimiteți.',
    en: 'Copy for {unit}: fill in Stare and Monitorizare on your unit’s rows, then submit.',
  },
  findingRows: { ro: 'rândurile {rows}', en: 'rows {rows}' },
  findingMore: { ro: 'și încă {n}', en: 'and {n} more' },
  chosenNone: { ro: 'toate', en: 'all' },
  chosenSome: { ro: '{n} alese', en: '{n} chosen' },
  errorProtected: {
    ro: 'Foaia este protejată (copie de departament): această operație nu este permisă aici. Registrul nu a fost modificat.',
    en: 'The sheet is protected (a department copy): this operation is not allowed here. The workbook was not changed.',
  },
  errorDepartmentOnly: {
    ro: 'Într-o copie de departament planul se pregătește și se evidențiază doar de coordonator.',
    en: 'In a department copy only the coordinator prepares and highlights the plan.',
  },
  errorTitle: { ro: 'Eroare', en: 'Error' },
  errorExcel: {
    ro: 'Excel nu a putut finaliza operația. Încercați din nou; dacă problema persistă, salvați registrul și redeschideți-l.',
    en: 'Excel could not complete the operation. Try again; if it persists, save the workbook and reopen it.',
  },
  errorUnexpected: {
    ro: 'A apărut o problemă neașteptată în panou. Încercați din nou.',
    en: 'Something unexpected went wrong in the pane. Try again.',
  },
  errorNoOffice: {
    ro: 'Panoul trebuie deschis din Excel (fila Pornire, butonul Plan CAF).',
    en: 'Open the pane from Excel (Home tab, CAF plan button).',
  },
  errorNotPrepared: {
    ro: 'Planul nu este pregătit: apăsați întâi „Pregătește planul” (adaugă coloanele ID, Stare și cele ajutătoare).',
    en: 'The plan is not prepared: press “Prepare the plan” first (it adds the ID, Stare and helper columns).',
  },
  errorNoPlan: {
    ro: 'Nu am găsit tabelul planului în registru: lipsesc anteturile (Acțiuni necesare, Responsabil, Termen de realizare).',
    en: 'No plan table found in the workbook: the headers (Acțiuni necesare, Responsabil, Termen de realizare) are missing.',
  },
} satisfies Record<string, Bilingual>;

/** Column headings of the summary table: the pane is narrow, the full labels (plan/state.ts) go in the tooltip. */
export const STATE_SHORT: Record<DeadlineState, Bilingual> = {
  done: { ro: 'Realizat', en: 'Done' },
  overdue: { ro: 'Depășit', en: 'Overdue' },
  'due-soon': { ro: 'Apropiat', en: 'Soon' },
  'on-track': { ro: 'În termen', en: 'On track' },
  recurring: { ro: 'Recurent', en: 'Recurring' },
  invalid: { ro: 'Invalid', en: 'Invalid' },
};

export type MessageKey = keyof typeof STRINGS;
/** Placeholder values; a Bilingual one gives each language its own form (a date written 01.06.2023 / 1 Jun 2023). */
export type Params = Record<string, string | number | Bilingual>;

/** The bilingual pair of a message, placeholders filled in. */
export function message(key: MessageKey, params: Params = {}): Bilingual {
  const entry: Bilingual = STRINGS[key];
  return { ro: fill(entry.ro, params, 'ro'), en: fill(entry.en, params, 'en') };
}

/** A message in one language. Numbers are written the way that language writes them (1.234 / 1,234). */
export function t(lang: Lang, key: MessageKey, params: Params = {}): string {
  return fill(STRINGS[key][lang], params, lang);
}

/**
 * Placeholders filled in: `{name}`, and `{name#one|many}` for a count with its noun, which agrees with the number
 * (countWith). Shared by every string table of the pane.
 */
export function fill(text: string, params: Params, lang: Lang): string {
  return text.replace(/\{(\w+)(?:#([^|}]*)\|([^}]*))?\}/g, (whole, name: string, one?: string, many?: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    if (typeof value === 'number') {
      return one !== undefined && many !== undefined ? countWith(value, one, many, lang) : formatNumber(value, lang);
    }
    return typeof value === 'string' ? value : value[lang];
  });
}

/** A day in both languages' spelling, for a Bilingual placeholder. */
export function bilingualDate(iso: string): Bilingual {
  return { ro: formatDate(iso, 'ro'), en: formatDate(iso, 'en') };
}

export function formatNumber(n: number, lang: Lang): string {
  return n.toLocaleString(lang === 'ro' ? 'ro-RO' : 'en-US');
}

/** A day as the user's language writes it: 30.06.2023 / 30 Jun 2023. */
export function formatDate(iso: string, lang: Lang): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  const [, y, mo, d] = m;
  if (lang === 'ro') return `${d}.${mo}.${y}`;
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${Number(d)} ${months[Number(mo) - 1]} ${y}`;
}

export const STRING_KEYS = Object.keys(STRINGS) as MessageKey[];
