// The pane's "Service" section without the DOM: a department submits its rows, the coordinator syncs the workbook
// with the service's latest merged revision and resolves conflicts. Every action fetches and checks all it needs
// from the service first and only then writes into the workbook, in one call to addin/excel, so a service that
// goes away mid-action leaves the workbook as it was. Transient failures are offered again (now, or by a timer).
import { CafError, isCafError } from '../../plan/errors';
import { readPlan } from '../../plan/grid';
import {
  DEFAULT_EDITABLE,
  type Bilingual,
  type Field,
  type Finding,
  type LocalDate,
  type Plan,
  type PlanMeta,
  type WorkbookGrid,
} from '../../plan/model';
import { actionsOfUnit } from '../../plan/owners';
import { findingsOfUnit, validatePlan } from '../../plan/validate';
import type { ApplyOutcome } from '../excel/sync';
import { ServiceClient, normalizeServiceUrl, type ClientOptions, type Download } from './client';
import { syncPatch, type KeptEdit, type SyncPatch } from './diff';
import * as errors from './errors';
import { connectMessage, type ConnectMessageKey } from './messages';
import type { ConflictRecord, Receipt, Resolution, Session } from './schemas';
import { loadConnection, saveConnection, type ConnectionSettings } from './settings';
import type { KeyValueStore } from '../taskpane/settings';

/** What the section needs from Excel; addin/taskpane/connect-port.ts implements it with addin/excel. */
export interface ConnectPort {
  readWorkbook(): Promise<WorkbookGrid>;
  applySyncPatch(patch: SyncPatch): Promise<ApplyOutcome>;
  /**
   * Shows only the unit's rows (the sheet's AutoFilter) when a copy opens. The task pane leaves it out: its main
   * controller opens a copy on its unit's filter, where the pane's filter choice shows it and can clear it.
   */
  filterUnit?(plan: Plan, unit: string, today: LocalDate): Promise<void>;
}

export type Mode =
  | { kind: 'none' }
  | { kind: 'department'; planId: string; revision: number; unit: string; rows: number }
  | { kind: 'coordinator'; planId: string; revision: number };

export interface ConnectNotice {
  kind: 'info' | 'success' | 'error';
  text: Bilingual;
  /** Extra lines (kept local edits, ...). */
  details?: Bilingual[];
}

export interface SyncSummary {
  revision: number;
  written: number;
  kept: KeptEdit[];
  changedMeanwhile: number;
  marked: number;
}

export interface ConnectState {
  connection: ConnectionSettings;
  session: Session | null;
  mode: Mode;
  busy: ConnectMessageKey | null;
  notice: ConnectNotice | null;
  /** Set after a transient failure: the action to run again, and when the timer will. */
  retry: { at: number | null } | null;
  receipt: Receipt | null;
  /** The department's findings, limited to its rows. */
  findings: Finding[] | null;
  conflicts: ConflictRecord[] | null;
  lastSync: SyncSummary | null;
  units: { code: string; name: string }[];
}

export interface ConnectOptions {
  port: ConnectPort;
  store: KeyValueStore | null;
  onChange: (state: ConnectState) => void;
  today: LocalDate;
  /** Prefilled address when nothing is remembered: the pane's own origin when the service serves it. */
  defaultUrl?: string;
  /** Client settings (fetch, timeouts) for tests. */
  client?: Omit<ClientOptions, 'baseUrl' | 'token'>;
  /** Automatic retries after a transient failure, and the wait before each. 0 turns them off. */
  autoRetries?: number;
  autoRetryMs?: number;
}

export function describeConnectError(error: unknown): Bilingual {
  return isCafError(error) ? error.messages : connectMessage('unexpected');
}

function metaMode(plan: Plan): Mode {
  const meta: PlanMeta | null = plan.meta;
  if (!meta) return { kind: 'none' };
  if (meta.unit) {
    const rows = actionsOfUnit(plan, meta.unit).length;
    return { kind: 'department', planId: meta.planId, revision: meta.revision, unit: meta.unit, rows };
  }
  return { kind: 'coordinator', planId: meta.planId, revision: meta.revision };
}

export class ConnectController {
  state: ConnectState;
  private readonly port: ConnectPort;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retriesLeft = 0;

  constructor(private readonly options: ConnectOptions) {
    this.port = options.port;
    this.state = {
      connection: loadConnection(options.store, options.defaultUrl ?? ''),
      session: null,
      mode: { kind: 'none' },
      busy: null,
      notice: null,
      retry: null,
      receipt: null,
      findings: null,
      conflicts: null,
      lastSync: null,
      units: [],
    };
  }

  private set(patch: Partial<ConnectState>): void {
    this.state = { ...this.state, ...patch };
    this.options.onChange(this.state);
  }

  private client(): ServiceClient {
    const { serviceUrl, token } = this.state.connection;
    if (serviceUrl.trim() === '') throw errors.notConfigured();
    if (token.trim() === '') throw errors.tokenMissing();
    return new ServiceClient({ ...this.options.client, baseUrl: normalizeServiceUrl(serviceUrl), token });
  }

  /**
   * Runs one action. A transient failure (network, service restarting) is said so and offered again, by a button
   * and by a timer a few times; the workbook is untouched because every action writes only at its very end.
   */
  private async run(
    step: ConnectMessageKey,
    work: () => Promise<ConnectNotice | null>,
    again?: () => Promise<void>,
  ): Promise<void> {
    if (this.state.busy !== null) return;
    this.cancelRetry();
    this.set({ busy: step, notice: null, retry: null });
    try {
      const notice = await work();
      this.retriesLeft = 0;
      this.set({ busy: null, notice });
    } catch (error) {
      if (!isCafError(error)) console.warn('caf-plan service section:', error);
      const text = describeConnectError(error);
      if (again && errors.isTransient(error)) {
        const autoRetries = this.options.autoRetries ?? 3;
        if (this.retriesLeft === 0 && autoRetries > 0 && !this.pendingAgain) this.retriesLeft = autoRetries;
        this.pendingAgain = again;
        const ms = this.options.autoRetryMs ?? 30_000;
        const at = this.retriesLeft > 0 ? Date.now() + ms : null;
        if (at !== null) {
          this.retriesLeft--;
          this.retryTimer = setTimeout(() => {
            this.retryTimer = null;
            void this.retryNow();
          }, ms);
        }
        const details = at !== null ? [connectMessage('retrying', { seconds: Math.round(ms / 1000) })] : [];
        this.set({ busy: null, notice: { kind: 'error', text, details }, retry: { at } });
      } else {
        this.pendingAgain = null;
        this.retriesLeft = 0;
        this.set({ busy: null, notice: { kind: 'error', text }, retry: null });
      }
    }
  }

  private pendingAgain: (() => Promise<void>) | null = null;

  /** The "Retry now" button, and the timer. */
  async retryNow(): Promise<void> {
    const again = this.pendingAgain;
    this.cancelRetry();
    if (again) await again();
  }

  private cancelRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** Stops the retry timer (the pane is closing). */
  dispose(): void {
    this.cancelRetry();
    this.pendingAgain = null;
  }

  setConnection(patch: Partial<ConnectionSettings>): void {
    const connection = { ...this.state.connection, ...patch };
    saveConnection(this.options.store, connection);
    this.set({ connection, session: null });
  }

  private async readLocal(): Promise<{ grid: WorkbookGrid; plan: Plan; mode: Mode }> {
    const grid = await this.port.readWorkbook();
    const plan = readPlan(grid);
    const mode = metaMode(plan);
    this.set({ mode, units: plan.units.map((u) => ({ code: u.code, name: u.name })) });
    return { grid, plan, mode };
  }

  /** Opening the pane: what the workbook is (a department copy, the coordinator's plan); a copy shows its rows only. */
  async start(): Promise<void> {
    await this.run('stepReading', async () => {
      const { plan, mode } = await this.readLocal();
      if (mode.kind === 'department') {
        await this.port.filterUnit?.(plan, mode.unit, this.options.today);
        this.set({ findings: this.ownFindings(plan, mode.unit) });
      }
      return null;
    });
  }

  private ownFindings(plan: Plan, unit: string): Finding[] {
    return findingsOfUnit(plan, validatePlan(plan, { today: this.options.today }), unit);
  }

  /** GET /api/health, then the token (GET /api/session). */
  async check(): Promise<void> {
    await this.run(
      'stepChecking',
      async () => {
        const client = this.client();
        const health = await client.health();
        if (!health.ok) return { kind: 'error', text: connectMessage('serviceBusy') };
        const session = await client.session();
        this.set({ session });
        const url = client.baseUrl;
        const text =
          session.role === 'coordinator'
            ? connectMessage('connectedCoordinator', { url })
            : connectMessage('connectedUnit', { url, unit: session.unit ?? '' });
        const mode = this.state.mode;
        const details =
          mode.kind === 'department' && session.role === 'unit' && session.unit !== mode.unit
            ? [connectMessage('wrongUnitToken', { copy: mode.unit, token: session.unit ?? '' })]
            : [];
        return { kind: details.length ? 'info' : 'success', text, details };
      },
      () => this.check(),
    );
  }

  /** Department: the unit's rows (their editable columns) to the service, against the copy's revision. */
  async submit(): Promise<void> {
    await this.run(
      'stepReading',
      async () => {
        const { plan, mode } = await this.readLocal();
        if (mode.kind !== 'department') throw new CafError('not-a-copy', connectMessage('noPlanBanner'));
        const editable: readonly Field[] = plan.meta?.editable ?? DEFAULT_EDITABLE;
        const columns = editable.filter((f) => f !== 'id' && plan.columns[f] !== undefined);
        const rows = actionsOfUnit(plan, mode.unit).map((a) => ({
          id: a.id,
          values: Object.fromEntries(columns.map((f) => [f, a.text[f]])),
        }));
        this.set({ findings: this.ownFindings(plan, mode.unit) });
        if (rows.length === 0) return { kind: 'error', text: connectMessage('noOwnRows', { unit: mode.unit }) };
        const client = this.client();
        this.set({ busy: 'stepSending' });
        const receipt = await client.submitRows(mode.planId, { unit: mode.unit, baseRevision: mode.revision, rows });
        this.set({ receipt });
        return {
          kind: receipt.counts.refused > 0 ? 'info' : 'success',
          text: receipt.message,
          details: receipt.duplicate ? [connectMessage('receiptDuplicate')] : [],
        };
      },
      () => this.submit(),
    );
  }

  /**
   * Coordinator: the service's latest revision into the workbook. Reads the workbook, fetches the plan's state, the
   * workbook's revision and the latest one and the open conflicts, computes the patch, and only then writes it.
   */
  async sync(): Promise<void> {
    await this.run(
      'stepReading',
      () => this.syncNow(),
      () => this.sync(),
    );
  }

  private async syncNow(): Promise<ConnectNotice> {
    const { grid, plan, mode } = await this.readLocal();
    if (mode.kind !== 'coordinator') throw new CafError('not-a-plan', connectMessage('noPlanBanner'));
    const client = this.client();
    this.set({ busy: 'stepFetching' });
    const info = await client.plan(mode.planId);
    if (mode.revision > info.currentRevision) {
      throw new CafError(
        'workbook-ahead',
        connectMessage('workbookAhead', { local: String(mode.revision), remote: String(info.currentRevision) }),
      );
    }
    const [target, base, conflicts] = await Promise.all([
      client.revision(mode.planId, info.currentRevision),
      mode.revision === info.currentRevision ? null : client.revision(mode.planId, mode.revision),
      client.conflicts(mode.planId, 'open'),
    ]);
    const patch = syncPatch({
      grid,
      local: plan,
      base: (base ?? target).plan,
      baseRevision: mode.revision,
      target: target.plan,
      targetRevision: target.revision,
      openConflicts: conflicts,
    });
    this.set({ busy: 'stepWriting' });
    const outcome = await this.port.applySyncPatch(patch);
    const revision = outcome.revision ?? mode.revision;
    const lastSync: SyncSummary = {
      revision,
      written: outcome.written,
      kept: patch.kept,
      changedMeanwhile: outcome.changedMeanwhile.length,
      marked: patch.marks.length,
    };
    this.set({
      conflicts,
      lastSync,
      mode: { kind: 'coordinator', planId: mode.planId, revision },
    });
    const open = conflicts.length;
    const text =
      outcome.written === 0 && revision === mode.revision
        ? connectMessage('syncUpToDate', { revision: String(revision), conflicts: open })
        : connectMessage('syncDone', { revision: String(revision), written: outcome.written, conflicts: open });
    const kept = patch.kept.length + outcome.changedMeanwhile.length;
    const details = kept > 0 ? [connectMessage('syncKept', { kept })] : [];
    // Rows or columns the workbook lacks (deleted by hand since): the service's values cannot be placed.
    const missing = new Set(patch.missing.map((m) => m.rowId));
    if (missing.size > 0) {
      details.push(connectMessage('syncMissing', { rows: missing.size, ids: [...missing].slice(0, 5).join(', ') }));
    }
    return { kind: missing.size > 0 ? 'info' : 'success', text, details };
  }

  /** Coordinator: settles a conflict on the service, then syncs so the workbook shows the new revision. */
  async resolve(conflictId: number, resolution: Resolution): Promise<void> {
    await this.run(
      'stepResolving',
      async () => {
        const client = this.client();
        let revision: number | null = null;
        try {
          const done = await client.resolve(conflictId, resolution);
          revision = done.resolvedRevision;
        } catch (error) {
          // An earlier attempt whose answer was lost may have resolved it already: the sync shows the outcome.
          if (!(isCafError(error) && error.code === 'conflict-resolved')) throw error;
        }
        this.set({ busy: 'stepFetching' });
        const done = await this.syncNow();
        const at = this.state.lastSync?.revision ?? revision ?? 0;
        return {
          ...done,
          text: connectMessage('resolved', { id: String(conflictId), revision: String(at) }),
          details: [done.text, ...(done.details ?? [])],
        };
      },
      () => this.resolve(conflictId, resolution),
    );
  }

  /** Coordinator: a department copy of the current revision, from the service. */
  async downloadCopy(unit: string, save: (download: Download) => void): Promise<void> {
    await this.run(
      'stepDownloading',
      async () => {
        const mode = this.state.mode.kind === 'none' ? (await this.readLocal()).mode : this.state.mode;
        if (mode.kind === 'none') throw new CafError('not-a-plan', connectMessage('noPlanBanner'));
        const download = await this.client().copy(mode.planId, unit);
        save(download);
        return { kind: 'success', text: connectMessage('copyReady', { unit, name: download.fileName }) };
      },
      () => this.downloadCopy(unit, save),
    );
  }
}
