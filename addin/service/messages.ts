// The words of the pane's "Service" section, Romanian first (the rest of the pane keeps its own in addin/i18n.ts).
import type { Bilingual } from '../../plan/model';
import { fill } from '../i18n';

const STRINGS = {
  title: { ro: 'Serviciul de sincronizare', en: 'Sync service' },
  connectionTitle: { ro: 'Conexiune', en: 'Connection' },
  urlLabel: { ro: 'Adresa serviciului', en: 'Service address' },
  tokenLabel: { ro: 'Token de acces', en: 'Access token' },
  tokenHelp: {
    ro: 'Tokenul îl primiți de la coordonatorul CAF; se păstrează doar pentru utilizatorul dvs.',
    en: 'You get the token from the CAF coordinator; it is kept for your user only.',
  },
  checkButton: { ro: 'Verifică conexiunea', en: 'Check connection' },
  connectedCoordinator: {
    ro: 'Conectat la {url} ca coordonator CAF.',
    en: 'Connected to {url} as the CAF coordinator.',
  },
  connectedUnit: { ro: 'Conectat la {url} ca unitatea {unit}.', en: 'Connected to {url} as the unit {unit}.' },
  serviceBusy: {
    ro: 'Serviciul răspunde, dar baza lui de date nu este disponibilă acum.',
    en: 'The service answers, but its database is not available now.',
  },
  wrongUnitToken: {
    ro: 'Atenție: acest registru este copia unității {copy}, dar tokenul este al unității {token}.',
    en: 'Note: this workbook is the copy of the unit {copy}, but the token belongs to the unit {token}.',
  },
  stepChecking: { ro: 'Se verifică legătura cu serviciul…', en: 'Checking the connection to the service…' },
  stepReading: { ro: 'Se citește registrul…', en: 'Reading the workbook…' },
  stepFetching: { ro: 'Se descarcă planul de la serviciu…', en: 'Fetching the plan from the service…' },
  stepSending: { ro: 'Se trimit rândurile la serviciu…', en: 'Sending the rows to the service…' },
  stepWriting: { ro: 'Se scriu modificările în registru…', en: 'Writing the changes into the workbook…' },
  stepResolving: { ro: 'Se rezolvă conflictul…', en: 'Resolving the conflict…' },
  stepDownloading: { ro: 'Se pregătește copia…', en: 'Preparing the copy…' },

  departmentBanner: {
    ro: 'Copia unității {unit} · planul {plan}, revizia {revision}',
    en: 'Copy of the unit {unit} · plan {plan}, revision {revision}',
  },
  coordinatorBanner: {
    ro: 'Planul {plan} · revizia {revision} în acest registru',
    en: 'Plan {plan} · revision {revision} in this workbook',
  },
  noPlanBanner: {
    ro: 'Registrul nu este legat de un plan din serviciu (lipsesc metadatele _caf_plan). Pregătiți planul și importați-l în serviciu, sau deschideți o copie descărcată din serviciu.',
    en: 'This workbook is not linked to a plan on the service (no _caf_plan metadata). Prepare the plan and import it into the service, or open a copy downloaded from the service.',
  },
  ownRows: { ro: '{rows#acțiune|acțiuni} ale unității {unit}.', en: '{rows#action|actions} of the unit {unit}.' },
  ownFindings: {
    ro: 'Probleme în rândurile unității: {errors#eroare|erori}, {warnings#avertisment|avertismente}.',
    en: 'Problems in the unit’s rows: {errors#error|errors}, {warnings#warning|warnings}.',
  },
  submitButton: { ro: 'Trimite la coordonator', en: 'Submit to the coordinator' },
  submitHelp: {
    ro: 'Se trimit coloanele editabile ale rândurilor unității. Registrul nu se modifică.',
    en: 'The editable columns of the unit’s rows are sent. The workbook is not changed.',
  },
  noOwnRows: {
    ro: 'Unitatea {unit} nu are nicio acțiune în plan: nu este nimic de trimis.',
    en: 'The unit {unit} has no action in the plan: there is nothing to submit.',
  },
  receiptTitle: { ro: 'Confirmare de primire', en: 'Receipt' },
  receiptDuplicate: {
    ro: 'Aceleași valori fuseseră deja trimise; confirmarea este cea de atunci.',
    en: 'The same values had been submitted already; this is the receipt from then.',
  },
  willApplyTitle: { ro: 'Se vor aplica la următoarea îmbinare', en: 'Will be applied at the next merge' },
  refusedTitle: { ro: 'Refuzate', en: 'Refused' },

  syncButton: { ro: 'Sincronizează', en: 'Sync' },
  syncHelp: {
    ro: 'Aduce ultima revizie îmbinată din serviciu și scrie în registru doar celulele schimbate.',
    en: 'Fetches the latest merged revision from the service and writes only the changed cells into the workbook.',
  },
  syncDone: {
    ro: 'Sincronizat la revizia {revision}: {written#celulă actualizată|celule actualizate}, {conflicts#conflict deschis|conflicte deschise}.',
    en: 'Synced to revision {revision}: {written#cell|cells} updated, {conflicts#open conflict|open conflicts}.',
  },
  syncUpToDate: {
    ro: 'Registrul este la zi (revizia {revision}); {conflicts#conflict deschis|conflicte deschise}.',
    en: 'The workbook is up to date (revision {revision}); {conflicts#open conflict|open conflicts}.',
  },
  syncKept: {
    ro: '{kept#celulă modificată și în registru și-a|celule modificate și în registru și-au} păstrat valoarea din registru.',
    en: '{kept#cell|cells} also changed in the workbook kept the workbook’s value.',
  },
  syncMissing: {
    ro: '{rows#acțiune are|acțiuni au} valori noi în serviciu, dar registrul nu are rândul sau coloana lor ({ids}): descărcați planul curent din serviciu.',
    en: '{rows#action has|actions have} new values on the service, but the workbook lacks their row or column ({ids}): download the current plan from the service.',
  },
  workbookAhead: {
    ro: 'Registrul spune revizia {local}, dar serviciul are doar până la revizia {remote}. Descărcați planul curent din serviciu.',
    en: 'The workbook says revision {local}, but the service has revisions up to {remote} only. Download the current plan from the service.',
  },
  conflictsTitle: { ro: 'Conflicte deschise', en: 'Open conflicts' },
  noConflicts: { ro: 'Niciun conflict deschis.', en: 'No open conflicts.' },
  conflictPlanValue: { ro: 'Valoarea din plan', en: 'Value in the plan' },
  conflictChoose: { ro: 'Alege', en: 'Choose' },
  conflictKeep: { ro: 'Păstrează valoarea din plan', en: 'Keep the plan’s value' },
  conflictWholeRow: {
    ro: 'Privește un rând întreg: modificați planul, apoi păstrați.',
    en: 'About a whole row: change the plan, then keep.',
  },
  resolved: {
    ro: 'Conflictul #{id} este rezolvat; registrul este la revizia {revision}.',
    en: 'Conflict #{id} is resolved; the workbook is at revision {revision}.',
  },
  copiesTitle: { ro: 'Copii pentru unități', en: 'Department copies' },
  copyButton: { ro: 'Descarcă', en: 'Download' },
  copyReady: {
    ro: 'Copia unității {unit} a fost descărcată ({name}).',
    en: 'The copy of {unit} was downloaded ({name}).',
  },
  retryButton: { ro: 'Reîncearcă acum', en: 'Retry now' },
  retrying: {
    ro: 'Se reîncearcă automat în {seconds} secunde.',
    en: 'Retrying automatically in {seconds} seconds.',
  },
  unexpected: {
    ro: 'A apărut o problemă neașteptată. Registrul nu a fost modificat; încercați din nou.',
    en: 'Something unexpected went wrong. The workbook was not changed; try again.',
  },
} satisfies Record<string, Bilingual>;

export type ConnectMessageKey = keyof typeof STRINGS;
export type ConnectParams = Record<string, string | number>;

export function connectMessage(key: ConnectMessageKey, params: ConnectParams = {}): Bilingual {
  const entry: Bilingual = STRINGS[key];
  return { ro: fill(entry.ro, params, 'ro'), en: fill(entry.en, params, 'en') };
}
