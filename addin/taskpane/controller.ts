// The pane's behaviour without the DOM: each user action reads the workbook through the port, runs the pure plan/
// code and updates one state object that render.ts draws. One action at a time; errors become bilingual notices.
import { CafError, isCafError } from '../../plan/errors';
import { summarizePlan, tableLayout, type PlanSummary } from '../../plan/highlight';
import type { Bilingual, Finding, LocalDate, MappedColumn, Plan } from '../../plan/model';
import { columnLetters, readPlan } from '../../plan/grid';
import { actionsOfUnit } from '../../plan/owners';
import { findingsOfUnit, validatePlan } from '../../plan/validate';
import { bilingualDate, message, type MessageKey } from '../i18n';
import type { AppliedFilter, ExcelPort, FilterOutcome } from './port';
import {
  EMPTY_FILTER,
  FilterChoice as FilterChoiceSchema,
  isEmptyFilter,
  loadSettings,
  reconcileFilter,
  saveSettings,
  type FilterChoice,
  type KeyValueStore,
  type Settings,
} from './settings';

export type NoticeKind = 'info' | 'success' | 'error';
export interface Notice {
  kind: NoticeKind;
  text: Bilingual;
}

export interface PaneState {
  settings: Settings;
  today: LocalDate;
  /** The step under way (shown with a progress bar), null when idle. */
  busy: MessageKey | null;
  plan: Plan | null;
  /** null until the user validates. */
  findings: Finding[] | null;
  summary: PlanSummary | null;
  filterOutcome: FilterOutcome | null;
  notice: Notice | null;
  /** The pane runs outside Office (opened in a plain browser): every Excel action is disabled. */
  offline: boolean;
  /** Decided by `_caf_plan`: a department copy (its unit) shows only what the unit may do. */
  mode: PaneMode;
}

export type PaneMode = { kind: 'coordinator' } | { kind: 'department'; unit: string };

/** The bilingual text for any error: the user's own mistakes keep their message, everything else a generic one. */
export function describeError(error: unknown): Bilingual {
  if (isCafError(error)) return error.messages;
  // Office.js errors (OfficeExtension.Error) carry a code such as ItemNotFound: worth quoting to the helpdesk.
  const code =
    typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
      ? error.code
      : null;
  // A protected sheet refuses the change: say so, not "try again", which would fail the same way.
  if (code === 'AccessDenied') return message('errorProtected');
  if (code !== null || (error instanceof Error && error.name === 'RichApi.Error')) {
    const m = message('errorExcel');
    return code ? { ro: `${m.ro} (${code})`, en: `${m.en} (${code})` } : m;
  }
  return message('errorUnexpected');
}

export class PaneController {
  state: PaneState;
  private stopListening: (() => Promise<void>) | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly port: ExcelPort,
    private readonly store: KeyValueStore | null,
    private readonly onChange: (state: PaneState) => void,
    today: LocalDate,
    /** Wait after an edit before re-reading the sheet: typing a cell fires several change events. */
    private readonly editDebounceMs = 1500,
  ) {
    this.state = {
      settings: loadSettings(store),
      today,
      busy: null,
      plan: null,
      findings: null,
      summary: null,
      filterOutcome: null,
      notice: null,
      offline: false,
      mode: { kind: 'coordinator' },
    };
  }

  private set(patch: Partial<PaneState>): void {
    this.state = { ...this.state, ...patch };
    this.onChange(this.state);
  }

  private updateSettings(patch: Partial<Settings>): void {
    const settings = { ...this.state.settings, ...patch };
    saveSettings(this.store, settings);
    this.set({ settings });
  }

  /** Runs one user action; a second one started meanwhile is ignored (the buttons are disabled anyway). */
  private async run(step: MessageKey, work: () => Promise<Notice | null>): Promise<void> {
    if (this.state.busy !== null || this.state.offline) return;
    this.set({ busy: step, notice: null });
    try {
      const notice = await work();
      this.set({ busy: null, notice });
    } catch (error) {
      // Unexpected failures go to the developer console too; the user sees the bilingual notice either way.
      if (!isCafError(error)) console.warn('caf-plan task pane:', error);
      this.set({ busy: null, notice: { kind: 'error', text: describeError(error) } });
    }
  }

  private step(step: MessageKey): void {
    this.set({ busy: step });
  }

  /** Reads the workbook into a Plan and recomputes what depends on it (findings only if already shown). */
  private async load(): Promise<Plan> {
    this.step('stepReading');
    const grid = await this.port.readWorkbook();
    this.step('stepChecking');
    const plan = readPlan(grid);
    const summary =
      plan.actions.length > 0 ? summarizePlan(plan, this.state.today, this.state.settings.soonDays) : null;
    const findings = this.state.findings === null ? null : this.check(plan);
    const filter = reconcileFilter(
      this.state.settings.filter,
      plan.units.map((u) => u.code),
    );
    if (filter !== this.state.settings.filter) this.updateSettings({ filter });
    const unit = departmentUnit(plan);
    this.set({ plan, summary, findings, mode: unit ? { kind: 'department', unit } : { kind: 'coordinator' } });
    await this.listen(plan);
    return plan;
  }

  /** The findings the user can act on: in a department copy, those of the unit's rows (and of the whole workbook). */
  private check(plan: Plan): Finding[] {
    const findings = validatePlan(plan, { today: this.state.today });
    const unit = departmentUnit(plan);
    return unit ? findingsOfUnit(plan, findings, unit) : findings;
  }

  private async listen(plan: Plan): Promise<void> {
    if (this.stopListening) await this.stopListening().catch(() => undefined);
    this.stopListening = await this.port.onPlanEdited(plan, () => this.planEdited());
  }

  /** Stops the edit listener and a pending refresh (the pane is closing). */
  async dispose(): Promise<void> {
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    const stop = this.stopListening;
    this.stopListening = null;
    if (stop) await stop().catch(() => undefined);
  }

  private planEdited(): void {
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      // A refresh while the user runs an action would race it; the action re-reads the sheet anyway.
      if (this.state.busy === null) void this.run('stepReading', async () => (await this.load(), null));
    }, this.editDebounceMs);
  }

  /**
   * Opening the pane: Office ready, the plan read once (units for the filter, counts), and the filter this workbook
   * last had re-applied: an AutoFilter on a deadline state is evaluated when applied, so re-applying follows the day.
   */
  async start(): Promise<void> {
    try {
      await this.port.ready();
    } catch {
      this.set({ offline: true, notice: { kind: 'error', text: message('errorNoOffice') } });
      return;
    }
    await this.run('stepReading', async () => {
      const plan = await this.load();
      const remembered = this.port.lastFilter();
      const choice = remembered
        ? reconcileFilter(
            rememberedChoice(remembered),
            plan.units.map((u) => u.code),
          )
        : departmentUnit(plan) !== null
          ? // A department copy opens on the unit's own rows; Excel's Clear Filter (or the pane's) shows them all.
            { units: [departmentUnit(plan)!], criteria: [], states: [], applied: true }
          : { ...this.state.settings.filter, applied: false }; // the selects stay; the filter belonged to another workbook
      this.updateSettings({ filter: choice });
      if (choice.applied && !isEmptyFilter(choice) && tableLayout(plan)) {
        this.step('stepWriting');
        const outcome = await this.port.applyFilter(plan, choice, this.state.today, this.state.settings.soonDays);
        this.set({ filterOutcome: outcome });
        return { kind: 'info', text: message('filterApplied', { shown: outcome.shown, total: outcome.total }) };
      }
      return plan.actions.length === 0 ? { kind: 'info', text: message('errorNoPlan') } : null;
    });
  }

  async validate(): Promise<void> {
    await this.run('stepReading', async () => {
      const grid = await this.port.readWorkbook();
      this.step('stepChecking');
      const plan = readPlan(grid);
      const findings = this.check(plan);
      const summary =
        plan.actions.length > 0 ? summarizePlan(plan, this.state.today, this.state.settings.soonDays) : null;
      const unitOfCopy = departmentUnit(plan);
      this.set({
        plan,
        findings,
        summary,
        mode: unitOfCopy ? { kind: 'department', unit: unitOfCopy } : { kind: 'coordinator' },
      });
      await this.listen(plan);
      const errors = findings.filter((f) => f.severity === 'error').length;
      const warnings = findings.length - errors;
      const unit = departmentUnit(plan);
      if (findings.length === 0) {
        return { kind: 'success', text: unit ? message('validateCleanUnit', { unit }) : message('validateClean') };
      }
      const actions = unit ? actionsOfUnit(plan, unit).length : plan.actions.length;
      return {
        kind: errors > 0 ? 'error' : 'info',
        text: unit
          ? message('validateDoneUnit', { actions, unit, errors, warnings })
          : message('validateDone', { actions, errors, warnings }),
      };
    });
  }

  /**
   * The coordinator moves a field to another column of the header (the Validate view's mapping): the choice goes
   * into `_caf_plan`, so the CLI and the service read the plan the same way; then the plan is validated again.
   */
  async chooseColumn(field: MappedColumn, column: number): Promise<void> {
    const save = this.port.saveColumnChoice;
    const plan = this.state.plan;
    if (!save || !plan) return;
    await this.run('stepWriting', async () => {
      await save.call(this.port, { ...plan.columnChoice, [field]: column });
      const next = await this.load();
      this.set({ findings: this.check(next) });
      return { kind: 'success', text: message('mappingSaved', { column: columnLetters(column) }) };
    });
  }

  async prepare(): Promise<void> {
    await this.run('stepReading', async () => {
      const before = readPlan(await this.port.readWorkbook());
      if (before.actions.length === 0) return { kind: 'error', text: message('errorNoPlan') };
      if (departmentUnit(before)) return { kind: 'error', text: message('errorDepartmentOnly') };
      this.step('stepWriting');
      await this.port.preparePlan(before);
      const plan = await this.load();
      return {
        kind: 'success',
        text: message('prepareDone', { actions: plan.actions.length, units: plan.units.length }),
      };
    });
  }

  /** The plan as the sheet holds it now, prepared (ID, Stare and the helper columns present). */
  private async preparedPlan(): Promise<Plan> {
    const plan = await this.load();
    if (plan.actions.length === 0) throw new CafError('plan-not-found', message('errorNoPlan'));
    if (!tableLayout(plan)) throw new CafError('plan-not-prepared', message('errorNotPrepared'));
    return plan;
  }

  async highlight(): Promise<void> {
    await this.run('stepReading', async () => {
      const plan = await this.preparedPlan();
      if (departmentUnit(plan)) return { kind: 'error', text: message('errorDepartmentOnly') };
      this.step('stepWriting');
      await this.port.applyHighlighting(plan, this.state.settings.soonDays);
      return { kind: 'success', text: message('highlightDone', { today: bilingualDate(this.state.today) }) };
    });
  }

  setSoonDays(days: number): void {
    this.updateSettings({ soonDays: days });
    if (this.state.plan && this.state.plan.actions.length > 0) {
      this.set({ summary: summarizePlan(this.state.plan, this.state.today, days) });
    }
  }

  setLang(lang: Settings['lang']): void {
    this.updateSettings({ lang });
  }

  setFilterChoice(patch: Partial<FilterChoice>): void {
    this.updateSettings({ filter: { ...this.state.settings.filter, ...patch } });
  }

  async applyFilter(): Promise<void> {
    const choice = this.state.settings.filter;
    if (isEmptyFilter(choice)) {
      this.set({ notice: { kind: 'info', text: message('filterNone') } });
      return;
    }
    await this.run('stepReading', async () => {
      const plan = await this.preparedPlan();
      this.step('stepWriting');
      const outcome = await this.port.applyFilter(plan, choice, this.state.today, this.state.settings.soonDays);
      this.updateSettings({ filter: { ...choice, applied: true } });
      this.set({ filterOutcome: outcome });
      return { kind: 'success', text: message('filterApplied', { shown: outcome.shown, total: outcome.total }) };
    });
  }

  async clearFilter(): Promise<void> {
    await this.run('stepReading', async () => {
      const plan = this.state.plan ?? (await this.load());
      this.step('stepWriting');
      await this.port.clearFilter(plan);
      this.updateSettings({ filter: { ...EMPTY_FILTER } });
      this.set({ filterOutcome: null });
      return { kind: 'success', text: message('filterCleared') };
    });
  }

  async selectFinding(finding: Finding): Promise<void> {
    const sheet = finding.sheet ?? this.state.plan?.sheet;
    const cell = finding.cell;
    if (!sheet || !cell) return;
    await this.run('stepWriting', async () => {
      await this.port.selectCell(sheet, cell);
      return { kind: 'info', text: message('selectedCell', { cell }) };
    });
  }

  async refreshSummary(): Promise<void> {
    await this.run('stepReading', async () => {
      const plan = await this.load();
      return plan.actions.length === 0 ? { kind: 'info', text: message('errorNoPlan') } : null;
    });
  }
}

/** The workbook's remembered filter as a pane choice; parts the pane cannot show (a subcriterion) are dropped. */
function rememberedChoice(applied: AppliedFilter): FilterChoice {
  const parsed = FilterChoiceSchema.safeParse({ ...applied, applied: true });
  if (parsed.success) return parsed.data;
  const keep = <T>(
    values: readonly unknown[],
    schema: { safeParse(v: unknown): { success: boolean; data?: T } },
  ): T[] =>
    values.flatMap((v) => {
      const r = schema.safeParse(v);
      return r.success ? [r.data as T] : [];
    });
  return {
    units: applied.units.filter((u) => typeof u === 'string' && u !== ''),
    criteria: keep(applied.criteria, FilterChoiceSchema.shape.criteria.element),
    states: keep(applied.states, FilterChoiceSchema.shape.states.element),
    applied: true,
  };
}

/** The unit a department copy belongs to (its `_caf_plan` names one of the legend's units), else null. */
function departmentUnit(plan: Plan): string | null {
  const unit = plan.meta?.unit;
  return unit && plan.units.some((u) => u.code === unit) ? unit : null;
}
