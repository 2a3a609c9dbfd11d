// Validation of a plan (SPEC 4): what a coordinator must fix before issuing department copies, each finding with
// its rule, severity, the action's id and the cell to go to, in Romanian and English, quoting the offending text.
import { cellAddress } from './address';
import { findCriterion, findSubcriterion, titleMatches } from './caf';
import { isIsoDate } from './date';
import { deadlineDue, parseDeadline } from './deadline';
import { isActionId } from './grid';
import type { Action, Column, Field, Finding, LocalDate, Plan } from './model';
import { actionsOfUnit, parseOwners } from './owners';
import { parseResources } from './resources';
import { finding, quote, type RuleId } from './rules';
import { parseStatus } from './status';

export { RULES, type Rule, type RuleId } from './rules';

export interface ValidateOptions {
  /** The day implausible deadlines are judged against; that check runs only when it is given. */
  today?: LocalDate;
}

/** Deadlines further than this from today are taken for typos (`2203`, `2002`). */
const PLAUSIBLE_YEARS = 10;

const FIELD_LABEL: Record<Field, { ro: string; en: string }> = {
  id: { ro: 'ID', en: 'id' },
  action: { ro: 'acțiunea', en: 'action' },
  result: { ro: 'rezultatele măsurabile', en: 'measurable results' },
  owners: { ro: 'responsabilul', en: 'owner' },
  deadline: { ro: 'termenul de realizare', en: 'deadline' },
  monitoring: { ro: 'monitorizarea', en: 'monitoring' },
  resources: { ro: 'resursele', en: 'resources' },
  status: { ro: 'starea', en: 'status' },
};

// The action's own number is not its text: `3.` alone is an action with no text.
const LEADING_NUMBER_RE = /^\s*(?:\d{1,2}\.\d{1,2}\.)?\d{1,4}\s*[.)]?\s*/u;
const CONTENT_RE = /[^\s\-\u2013\u2014]/u;

/** Empty, whitespace or the team's `-` / `--` filler. */
function isBlank(text: string): boolean {
  return !CONTENT_RE.test(text);
}

function addYears(day: LocalDate, years: number): LocalDate {
  const year = Number(day.slice(0, 4)) + years;
  return `${String(year).padStart(4, '0')}${day.slice(4, 8)}${day.slice(5) === '02-29' ? '28' : day.slice(8)}`;
}

function memo<T>(parse: (text: string) => T): (text: string) => T {
  const cache = new Map<string, T>();
  return (text) => {
    let value = cache.get(text);
    if (value === undefined) {
      value = parse(text);
      cache.set(text, value);
    }
    return value;
  };
}

/**
 * What a department sees of the findings in its copy: those on its own rows, and those about the workbook as a whole
 * (no row: a missing header, a broken legend), which stop its submission too. Other units' rows are locked to it.
 */
export function findingsOfUnit(plan: Plan, findings: readonly Finding[], unit: string): Finding[] {
  const own = new Set(actionsOfUnit(plan, unit).map((a) => a.id));
  return findings.filter((f) => f.rowId === undefined || own.has(f.rowId));
}

/** Every finding of a plan: the reader's own, then the checks of SPEC 4. Pure and deterministic. */
export function validatePlan(plan: Plan, options: ValidateOptions = {}): Finding[] {
  const findings: Finding[] = [...plan.findings];
  if (plan.headerRow < 0) return findings;

  const sheet = plan.sheet;
  const tableLeft = Math.min(...(Object.values(plan.columns) as number[]));
  // An action on another sheet of a multi-sheet plan is addressed on its own sheet, in that sheet's columns.
  const columnsOf = new Map((plan.moreSheets ?? []).map((s) => [s.sheet, s.columns]));
  const at = (action: Action, column: Column): string | undefined => {
    const col =
      (action.sheet !== undefined ? columnsOf.get(action.sheet) : undefined)?.[column] ?? plan.columns[column];
    return col === undefined ? undefined : cellAddress(action.row, col);
  };
  const report = (rule: RuleId, action: Action, column: Column, ro: string, en: string): void => {
    findings.push(
      finding(
        rule,
        { ro, en },
        { rowId: action.id || undefined, sheet: action.sheet ?? sheet, cell: at(action, column) },
      ),
    );
  };
  const where = (action: Action): { ro: string; en: string } =>
    action.id
      ? { ro: `Acțiunea ${action.id}`, en: `Action ${action.id}` }
      : { ro: `Acțiunea de pe rândul ${action.row + 1}`, en: `The action on row ${action.row + 1}` };

  if (plan.units.length === 0) {
    findings.push(
      finding(
        'no-legend',
        {
          ro: 'Planul nu are legendă (Legendă: urmată de rânduri COD - Denumire): responsabilii nu pot fi verificați, iar copiile pe compartimente nu pot fi emise.',
          en: 'The plan has no legend (Legendă: followed by CODE - Name lines): owners cannot be checked and department copies cannot be issued.',
        },
        { sheet },
      ),
    );
  }

  checkModel(plan, tableLeft, findings);

  const firstRowOfId = new Map<string, Action>();
  const bySubcriterion = new Map<string, Action[]>();
  const today = options.today;
  // Plans repeat the same owners and resources cells many times: parse each distinct text once.
  const ownersOf = memo((text: string) => parseOwners(text, plan.units));
  const resourcesOf = memo(parseResources);
  const deadlineOf = memo(parseDeadline);
  const statusOf = memo(parseStatus);
  // ISO dates compare as strings.
  const plausible =
    today && isIsoDate(today)
      ? { from: addYears(today, -PLAUSIBLE_YEARS), to: addYears(today, PLAUSIBLE_YEARS) }
      : null;

  for (const action of plan.actions) {
    const w = where(action);

    // Ids: what the merge matches rows by.
    if (action.idFromColumn) {
      if (!isActionId(action.id)) {
        const shown = action.id ? quote(action.id) : '';
        report(
          'id-format',
          action,
          'id',
          `${w.ro}: ID-ul ${shown || 'lipsește'}${shown ? ' nu are forma 1.1.1' : ''}; rândul nu poate fi potrivit la comasare.`,
          `${w.en}: the id ${shown || 'is missing'}${shown ? ' is not of the form 1.1.1' : ''}; the row cannot be matched in a merge.`,
        );
      }
    } else if (action.number === null) {
      report(
        'number-missing',
        action,
        'action',
        `${w.ro}: ${quote(action.text.action)} nu începe cu numărul acțiunii (ex.: 1. ...), deci nu are ID.`,
        `${w.en}: ${quote(action.text.action)} does not start with the action's number (e.g. 1. ...), so it has no id.`,
      );
    }
    if (action.id) {
      const first = firstRowOfId.get(action.id);
      if (first) {
        report(
          'id-duplicate',
          action,
          action.idFromColumn ? 'id' : 'action',
          `ID-ul ${action.id} apare de două ori: pe rândul ${first.row + 1} și pe rândul ${action.row + 1}.`,
          `The id ${action.id} appears twice: on row ${first.row + 1} and on row ${action.row + 1}.`,
        );
      } else firstRowOfId.set(action.id, action);
    }

    if (!action.subcriterion) {
      report(
        'action-outside-subcriterion',
        action,
        'action',
        `${w.ro}: ${quote(action.text.action)} nu se află sub niciun subcriteriu (un rând ca 1.1: ... deasupra ei).`,
        `${w.en}: ${quote(action.text.action)} is not under any subcriterion (a row such as 1.1: ... above it).`,
      );
    } else {
      const list = bySubcriterion.get(action.subcriterion);
      if (list) list.push(action);
      else bySubcriterion.set(action.subcriterion, [action]);
    }

    // Required and recommended cells.
    const missing: Field[] = [];
    if (plan.columns.action !== undefined && isBlank(action.text.action.replace(LEADING_NUMBER_RE, '')))
      missing.push('action');
    if (plan.columns.owners !== undefined && isBlank(action.text.owners)) missing.push('owners');
    const rawDeadline = action.values.deadline ?? action.text.deadline;
    const deadline = typeof rawDeadline === 'string' ? deadlineOf(rawDeadline) : parseDeadline(rawDeadline);
    if (plan.columns.deadline !== undefined && deadline.kind === 'empty') missing.push('deadline');
    for (const field of missing) {
      report(
        'required-field',
        action,
        field,
        `${w.ro} nu are ${FIELD_LABEL[field].ro}.`,
        `${w.en} has no ${FIELD_LABEL[field].en}.`,
      );
    }
    if (plan.columns.result !== undefined && isBlank(action.text.result)) {
      report(
        'result-missing',
        action,
        'result',
        `${w.ro} nu are rezultate măsurabile.`,
        `${w.en} has no measurable result.`,
      );
    }

    if (deadline.kind === 'invalid') {
      report(
        'deadline-format',
        action,
        'deadline',
        `${w.ro}: termenul ${quote(deadline.text)} nu este recunoscut (ex.: SEM. II 2023, TRIM. III 2023, iunie 2023, 30.06.2023, Permanent).`,
        `${w.en}: the deadline ${quote(deadline.text)} is not recognised (e.g. SEM. II 2023, TRIM. III 2023, iunie 2023, 30.06.2023, Permanent).`,
      );
    } else if (today) {
      const due = deadlineDue(deadline);
      if (due && plausible && (due < plausible.from || due > plausible.to)) {
        report(
          'deadline-implausible',
          action,
          'deadline',
          `${w.ro}: termenul ${quote(deadline.text)} (${due}) este la peste ${PLAUSIBLE_YEARS} ani de azi; este o greșeală de tastare?`,
          `${w.en}: the deadline ${quote(deadline.text)} (${due}) is more than ${PLAUSIBLE_YEARS} years from today; a typo?`,
        );
      }
    }

    if (plan.units.length > 0 && action.text.owners) {
      for (const token of ownersOf(action.text.owners)) {
        if (token.kind !== 'unknown') continue;
        const hint = token.suggestion
          ? { ro: ` Poate ${token.suggestion}?`, en: ` Did you mean ${token.suggestion}?` }
          : { ro: ' Adăugați-l în legendă sau corectați-l.', en: ' Add it to the legend or correct it.' };
        report(
          'owner-unknown',
          action,
          'owners',
          `${w.ro}: responsabilul ${quote(token.text)} nu este în legendă și nu este un rol cunoscut.${hint.ro}`,
          `${w.en}: the owner ${quote(token.text)} is not in the legend nor a known role.${hint.en}`,
        );
      }
    }

    if (plan.columns.status !== undefined) {
      const status = statusOf(action.text.status);
      if (status.kind === 'invalid') {
        report(
          'status-invalid',
          action,
          'status',
          `${w.ro}: starea ${quote(status.text)} nu este una dintre Neînceput, În curs, Parțial realizat, Realizat, Amânat, Anulat.`,
          `${w.en}: the status ${quote(status.text)} is not one of Neînceput, În curs, Parțial realizat, Realizat, Amânat, Anulat.`,
        );
      }
    }

    if (action.text.resources) {
      const { unknown } = resourcesOf(action.text.resources);
      if (unknown.length > 0) {
        const parts = unknown.map((u) => quote(u)).join(', ');
        report(
          'resources-unknown',
          action,
          'resources',
          `${w.ro}: resursele ${parts} nu sunt din vocabular (umane, de timp, financiare, materiale).`,
          `${w.en}: the resources ${parts} are not in the vocabulary (human, time, financial, material).`,
        );
      }
    }
  }

  // Numbering: 1, 2, 3 ... within each subcriterion, across page breaks.
  for (const [code, actions] of bySubcriterion) {
    let expected = 1;
    for (const action of actions) {
      if (action.number === null) continue;
      if (action.number !== expected) {
        const prev = expected - 1;
        report(
          'numbering-gap',
          action,
          'action',
          prev === 0
            ? `Subcriteriul ${code}: prima acțiune are numărul ${action.number}, nu 1.`
            : `Subcriteriul ${code}: după acțiunea ${prev} urmează acțiunea ${action.number}, nu ${expected}.`,
          prev === 0
            ? `Subcriterion ${code}: the first action is numbered ${action.number}, not 1.`
            : `Subcriterion ${code}: action ${prev} is followed by action ${action.number}, not ${expected}.`,
        );
      }
      expected = action.number + 1;
    }
  }

  return findings;
}

/** Criteria and subcriteria against CAF 2020: matched by code; a different title is a warning, never an error. */
function checkModel(plan: Plan, tableLeft: number, findings: Finding[]): void {
  const sheet = plan.sheet;
  for (const criterion of plan.criteria) {
    const cell = cellAddress(criterion.row, tableLeft);
    const model = findCriterion(criterion.code);
    if (!model) {
      findings.push(
        finding(
          'criterion-unknown',
          {
            ro: `Criteriul ${criterion.code} (${quote(criterion.title)}) nu există în CAF 2020, care are criteriile 1-9.`,
            en: `Criterion ${criterion.code} (${quote(criterion.title)}) does not exist in CAF 2020, which has criteria 1-9.`,
          },
          { sheet, cell },
        ),
      );
    } else if (criterion.title && !titleMatches(criterion.title, model)) {
      findings.push(
        finding(
          'title-differs',
          {
            ro: `Criteriul ${criterion.code} are titlul ${quote(criterion.title)}; în CAF 2020 este ${quote(model.ro)}.`,
            en: `Criterion ${criterion.code} is titled ${quote(criterion.title)}; CAF 2020 calls it ${quote(model.en)}.`,
          },
          { sheet, cell },
        ),
      );
    }
  }

  for (const sub of plan.subcriteria) {
    const cell = cellAddress(sub.row, tableLeft);
    const model = findSubcriterion(sub.code);
    if (!model) {
      findings.push(
        finding(
          'subcriterion-unknown',
          {
            ro: `Subcriteriul ${sub.code} (${quote(sub.title)}) nu există în CAF 2020 (1.1-1.4, 2.1-2.4, 3.1-3.3, 4.1-4.6, 5.1-5.3, 6.1-6.2, 7.1-7.2, 8.1-8.2, 9.1-9.2).`,
            en: `Subcriterion ${sub.code} (${quote(sub.title)}) does not exist in CAF 2020 (1.1-1.4, 2.1-2.4, 3.1-3.3, 4.1-4.6, 5.1-5.3, 6.1-6.2, 7.1-7.2, 8.1-8.2, 9.1-9.2).`,
          },
          { sheet, cell },
        ),
      );
      continue;
    }
    if (sub.title && !titleMatches(sub.title, model)) {
      findings.push(
        finding(
          'title-differs',
          {
            ro: `Subcriteriul ${sub.code} are titlul ${quote(sub.title)}; în CAF 2020 este ${quote(model.ro)}.`,
            en: `Subcriterion ${sub.code} is titled ${quote(sub.title)}; CAF 2020 calls it ${quote(model.en)}.`,
          },
          { sheet, cell },
        ),
      );
    }
    // The criterion above it on its own sheet; a criterion column names both on the same row.
    let above: string | undefined;
    for (const criterion of plan.criteria) {
      if (criterion.sheet === sub.sheet && criterion.row <= sub.row) above = criterion.code;
    }
    if (above !== undefined && above !== sub.criterion) {
      findings.push(
        finding(
          'subcriterion-misplaced',
          {
            ro: `Subcriteriul ${sub.code} se află sub criteriul ${above}, nu sub criteriul ${sub.criterion}.`,
            en: `Subcriterion ${sub.code} sits under criterion ${above}, not under criterion ${sub.criterion}.`,
          },
          { sheet, cell },
        ),
      );
    }
  }
}
