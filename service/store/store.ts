// The service's durable state: a SQLite file (WAL, synchronous=FULL) for rows and a content-addressed folder for
// bytes. Write order everywhere is blobs first (fsynced), then one transaction for the rows that refer to them, so a
// crash at any point leaves either a complete record or none: never a row whose file is missing.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Bilingual, Field, Plan } from '../../plan/model';
import type { Conflict, MergeReport } from '../../plan/report';
import type { SubmittedRow } from '../../plan/merge';
import { BlobStore, sha256, type BlobHash } from './blobs';
import { assertNotNewer, schemaVersionOf } from '../admin/schema';
import { backupBeforeUpgrade } from '../admin/upgrade';
import { MIGRATIONS } from './migrations';

export type Role = 'coordinator' | 'unit';
export type RevisionOrigin = 'import' | 'merge' | 'resolution';
export type SubmissionKind = 'xlsx' | 'json';
export type SubmissionState = 'pending' | 'merged' | 'superseded' | 'refused';
export type MergeStatus = 'running' | 'done' | 'empty' | 'interrupted' | 'failed';

export interface PlanRecord {
  id: string;
  name: string;
  currentRevision: number;
  editable: Field[];
  createdAt: string;
}

export interface RevisionRecord {
  planId: string;
  revision: number;
  /** sha256 of the workbook of this revision in the blob folder. */
  blob: BlobHash;
  origin: RevisionOrigin;
  mergeId: number | null;
  createdBy: string;
  createdAt: string;
  note: string | null;
}

export interface SubmissionRecord {
  /** Decimal string of the row id: the `submission` of the merge report. */
  id: string;
  planId: string;
  unit: string;
  /** Where it came from: `upload`, `addin`, `folder`, `drive`, ... */
  source: string;
  kind: SubmissionKind;
  baseRevision: number;
  /** sha256 of the bytes as received (the .xlsx file, or the JSON body). */
  blob: BlobHash;
  scope: 'full' | 'partial';
  receivedAt: string;
  submittedBy: string;
  fileName: string | null;
  outcome: SubmissionState;
  reason: Bilingual | null;
  mergeId: number | null;
  /** What the service answered when it took the submission (service/sources/intake.ts Receipt). */
  receipt: unknown;
}

export interface MergeRecord {
  id: number;
  planId: string;
  status: MergeStatus;
  trigger: string;
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
  currentRevision: number;
  newRevision: number | null;
  /** The merge takes pending submissions with an id up to this one: later arrivals wait for the next merge. */
  upToSubmission: number;
  mergedBlob: BlobHash | null;
  error: string | null;
}

export interface ConflictRecord extends Conflict {
  id: number;
  planId: string;
  mergeId: number;
  /** The revision the merge that found it produced. */
  revision: number;
  status: 'open' | 'resolved';
  resolvedBy: string | null;
  resolvedAt: string | null;
  resolution: 'value' | 'keep' | null;
  resolvedValue: string | null;
  resolvedRevision: number | null;
  /** Set when a later merge or resolution changed or conflicted the same cell again: the revision that did. */
  supersededBy: number | null;
}

export interface TokenRecord {
  id: string;
  role: Role;
  unit: string | null;
  label: string | null;
  createdAt: string;
  revokedAt: string | null;
}

/** A page sign-in: the cookie holds its secret id; role and unit are the token's. */
export interface SessionRecord {
  id: string;
  tokenId: string;
  role: Role;
  unit: string | null;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

export interface AuditRecord {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: unknown;
}

export interface NewRevision {
  blob: BlobHash;
  plan: Plan;
  origin: RevisionOrigin;
  mergeId?: number | null;
  createdBy: string;
  note?: string | null;
}

export interface NewSubmission {
  planId: string;
  unit: string;
  source: string;
  kind: SubmissionKind;
  baseRevision: number;
  blob: BlobHash;
  rows: SubmittedRow[];
  scope: 'full' | 'partial';
  receivedAt: string;
  submittedBy: string;
  fileName?: string | null;
  receipt: unknown;
}

export interface MergeOutcome {
  mergeId: number;
  /** Absent when nothing was submitted: the merge is recorded as `empty` and no revision is made. */
  revision?: { blob: BlobHash; plan: Plan };
  report?: MergeReport;
  /** Outcome of every submission the merge took. */
  submissions: { id: string; outcome: Exclude<SubmissionState, 'pending'>; reason?: Bilingual }[];
}

type Row = Record<string, unknown>;
const str = (v: unknown): string => v as string;
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : (v as string));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const json = <T>(v: unknown): T => JSON.parse(v as string) as T;
const jsonOrNull = <T>(v: unknown): T | null => (v === null || v === undefined ? null : (JSON.parse(v as string) as T));
const now = (): string => new Date().toISOString();

function toPlan(r: Row): PlanRecord {
  return {
    id: str(r.id),
    name: str(r.name),
    currentRevision: Number(r.current_revision),
    editable: json<Field[]>(r.editable),
    createdAt: str(r.created_at),
  };
}

function toRevision(r: Row): RevisionRecord {
  return {
    planId: str(r.plan_id),
    revision: Number(r.revision),
    blob: str(r.blob),
    origin: str(r.origin) as RevisionOrigin,
    mergeId: numOrNull(r.merge_id),
    createdBy: str(r.created_by),
    createdAt: str(r.created_at),
    note: strOrNull(r.note),
  };
}

function toSubmission(r: Row): SubmissionRecord {
  return {
    id: String(r.id),
    planId: str(r.plan_id),
    unit: str(r.unit),
    source: str(r.source),
    kind: str(r.kind) as SubmissionKind,
    baseRevision: Number(r.base_revision),
    blob: str(r.blob),
    scope: str(r.scope) as 'full' | 'partial',
    receivedAt: str(r.received_at),
    submittedBy: str(r.submitted_by),
    fileName: strOrNull(r.file_name),
    outcome: str(r.outcome) as SubmissionState,
    reason: jsonOrNull<Bilingual>(r.reason_json),
    mergeId: numOrNull(r.merge_id),
    receipt: json<unknown>(r.receipt_json),
  };
}

function toMerge(r: Row): MergeRecord {
  return {
    id: Number(r.id),
    planId: str(r.plan_id),
    status: str(r.status) as MergeStatus,
    trigger: str(r.trigger),
    startedBy: str(r.started_by),
    startedAt: str(r.started_at),
    finishedAt: strOrNull(r.finished_at),
    currentRevision: Number(r.current_revision),
    newRevision: numOrNull(r.new_revision),
    upToSubmission: Number(r.up_to_submission),
    mergedBlob: strOrNull(r.merged_blob),
    error: strOrNull(r.error),
  };
}

function toConflict(r: Row): ConflictRecord {
  return {
    id: Number(r.id),
    planId: str(r.plan_id),
    mergeId: Number(r.merge_id),
    revision: Number(r.revision),
    kind: str(r.kind) as Conflict['kind'],
    rowId: strOrNull(r.row_id),
    column: strOrNull(r.column_name) as Conflict['column'],
    base: strOrNull(r.base),
    current: strOrNull(r.current),
    values: json<Conflict['values']>(r.values_json),
    message: json<Bilingual>(r.message_json),
    status: str(r.status) as 'open' | 'resolved',
    resolvedBy: strOrNull(r.resolved_by),
    resolvedAt: strOrNull(r.resolved_at),
    resolution: strOrNull(r.resolution) as 'value' | 'keep' | null,
    resolvedValue: strOrNull(r.resolved_value),
    resolvedRevision: numOrNull(r.resolved_revision),
    supersededBy: r.superseded_by == null ? null : Number(r.superseded_by),
  };
}

function toToken(r: Row): TokenRecord {
  return {
    id: str(r.id),
    role: str(r.role) as Role,
    unit: strOrNull(r.unit),
    label: strOrNull(r.label),
    createdAt: str(r.created_at),
    revokedAt: strOrNull(r.revoked_at),
  };
}

/** A token as handed to its holder: `caf_` and 43 base64url characters (256 random bits). */
const TOKEN_RE = /^caf_[A-Za-z0-9_-]{43}$/;
/** A page session id as the cookie holds it: `cafs_` and 43 base64url characters. */
const SESSION_RE = /^cafs_[A-Za-z0-9_-]{43}$/;

function toSession(r: Row): SessionRecord {
  return {
    id: str(r.id),
    tokenId: str(r.token_id),
    role: str(r.role) as Role,
    unit: strOrNull(r.unit),
    createdAt: str(r.created_at),
    expiresAt: str(r.expires_at),
    revokedAt: strOrNull(r.revoked_at),
  };
}

export class Store {
  readonly db: Database.Database;
  readonly blobs: BlobStore;
  readonly dataDir: string;
  /** The backup taken before this open migrated an older database, if it did. */
  upgradeBackup: string | undefined;
  /** Revisions never change: their parsed Plan is cached (a few MB at most for large plans). */
  private readonly planCache = new Map<string, Plan>();

  constructor(dataDir: string) {
    this.dataDir = dataDir;
    // A folder a newer version wrote is refused before anything here writes to it.
    assertNotNewer(dataDir);
    mkdirSync(dataDir, { recursive: true });
    this.blobs = new BlobStore(path.join(dataDir, 'blobs'));
    this.db = new Database(path.join(dataDir, 'caf-plan.sqlite'));
    this.db.pragma('journal_mode = WAL');
    // FULL: a committed transaction survives a power cut, not only a process crash (an acknowledged submission
    // must never be lost).
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    try {
      this.migrate();
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private migrate(): void {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
    );
    const done = new Set(
      (this.db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
    );
    const from = schemaVersionOf(this.db);
    /** Upgrading data an older version wrote: back it all up first. */
    if (from > 0 && MIGRATIONS.some((_, i) => !done.has(i + 1))) {
      this.upgradeBackup = backupBeforeUpgrade(this.db, this.dataDir, from);
    }
    MIGRATIONS.forEach((sql, i) => {
      const version = i + 1;
      if (done.has(version)) return;
      this.db.transaction(() => {
        this.db.exec(sql);
        this.db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, now());
      })();
    });
  }

  /** True when the database answers and the blob folder is writable. */
  healthy(): boolean {
    try {
      this.db.prepare('SELECT 1').get();
      this.blobs.put(new TextEncoder().encode('caf-plan health\n'));
      return true;
    } catch {
      return false;
    }
  }

  // ---------------------------------------------------------------- plans and revisions

  listPlans(): PlanRecord[] {
    return (this.db.prepare('SELECT * FROM plans ORDER BY created_at, id').all() as Row[]).map(toPlan);
  }

  getPlan(id: string): PlanRecord | undefined {
    const r = this.db.prepare('SELECT * FROM plans WHERE id = ?').get(id) as Row | undefined;
    return r ? toPlan(r) : undefined;
  }

  /** A new plan with its first revision (1). The blob must be stored already. */
  createPlan(input: { id: string; name: string; editable: Field[]; revision: NewRevision }): PlanRecord {
    const at = now();
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO plans (id, name, current_revision, editable, created_at) VALUES (?, ?, 1, ?, ?)')
        .run(input.id, input.name, JSON.stringify(input.editable), at);
      this.insertRevision(input.id, 1, input.revision, at);
    })();
    return this.getPlan(input.id)!;
  }

  setEditable(planId: string, editable: Field[]): void {
    this.db.prepare('UPDATE plans SET editable = ? WHERE id = ?').run(JSON.stringify(editable), planId);
  }

  private insertRevision(planId: string, revision: number, r: NewRevision, at: string): void {
    if (!this.blobs.has(r.blob)) throw new Error(`revision ${planId}@${revision}: blob ${r.blob} is not stored`);
    this.db
      .prepare(
        `INSERT INTO revisions (plan_id, revision, blob, plan_json, origin, merge_id, created_by, created_at, note)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        planId,
        revision,
        r.blob,
        JSON.stringify(r.plan),
        r.origin,
        r.mergeId ?? null,
        r.createdBy,
        at,
        r.note ?? null,
      );
    this.db.prepare('UPDATE plans SET current_revision = ? WHERE id = ?').run(revision, planId);
  }

  getRevision(planId: string, revision: number): RevisionRecord | undefined {
    const r = this.db
      .prepare(
        'SELECT plan_id, revision, blob, origin, merge_id, created_by, created_at, note FROM revisions WHERE plan_id = ? AND revision = ?',
      )
      .get(planId, revision) as Row | undefined;
    return r ? toRevision(r) : undefined;
  }

  listRevisions(planId: string): RevisionRecord[] {
    return (
      this.db
        .prepare(
          'SELECT plan_id, revision, blob, origin, merge_id, created_by, created_at, note FROM revisions WHERE plan_id = ? ORDER BY revision',
        )
        .all(planId) as Row[]
    ).map(toRevision);
  }

  /** The Plan read from a revision's workbook when it was stored. */
  revisionPlan(planId: string, revision: number): Plan | undefined {
    const key = `${planId}\u0000${revision}`;
    const cached = this.planCache.get(key);
    if (cached) return cached;
    const r = this.db
      .prepare('SELECT plan_json FROM revisions WHERE plan_id = ? AND revision = ?')
      .get(planId, revision) as Row | undefined;
    if (!r) return undefined;
    const plan = json<Plan>(r.plan_json);
    if (this.planCache.size >= 32) this.planCache.delete(this.planCache.keys().next().value!);
    this.planCache.set(key, plan);
    return plan;
  }

  // ---------------------------------------------------------------- submissions

  /**
   * Records a submission whose bytes are stored already. The same bytes from the same unit for the same plan are
   * one submission: the second call returns the first record with `duplicate: true` and changes nothing.
   */
  addSubmission(input: NewSubmission): { submission: SubmissionRecord; duplicate: boolean } {
    if (!this.blobs.has(input.blob)) throw new Error(`submission: blob ${input.blob} is not stored`);
    return this.db.transaction(() => {
      const existing = this.findSubmission(input.planId, input.unit, input.blob);
      if (existing) return { submission: existing, duplicate: true };
      const info = this.db
        .prepare(
          `INSERT INTO submissions (plan_id, unit, source, kind, base_revision, blob, rows_json, scope, received_at,
             submitted_by, file_name, receipt_json)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          input.planId,
          input.unit,
          input.source,
          input.kind,
          input.baseRevision,
          input.blob,
          JSON.stringify(input.rows),
          input.scope,
          input.receivedAt,
          input.submittedBy,
          input.fileName ?? null,
          '{}',
        );
      const id = Number(info.lastInsertRowid);
      // The receipt names the submission, so it is written once the id is known, in the same transaction.
      const receipt = { ...(input.receipt as object), submission: String(id) };
      this.db.prepare('UPDATE submissions SET receipt_json = ? WHERE id = ?').run(JSON.stringify(receipt), id);
      return { submission: this.getSubmission(String(id))!, duplicate: false };
    })();
  }

  findSubmission(planId: string, unit: string, blob: BlobHash): SubmissionRecord | undefined {
    const r = this.db
      .prepare('SELECT * FROM submissions WHERE plan_id = ? AND unit = ? AND blob = ?')
      .get(planId, unit, blob) as Row | undefined;
    return r ? toSubmission(r) : undefined;
  }

  getSubmission(id: string): SubmissionRecord | undefined {
    if (!/^\d{1,15}$/.test(id)) return undefined;
    const r = this.db.prepare('SELECT * FROM submissions WHERE id = ?').get(Number(id)) as Row | undefined;
    return r ? toSubmission(r) : undefined;
  }

  submissionRows(id: string): SubmittedRow[] {
    const r = this.db.prepare('SELECT rows_json FROM submissions WHERE id = ?').get(Number(id)) as Row | undefined;
    return r ? json<SubmittedRow[]>(r.rows_json) : [];
  }

  listSubmissions(
    planId: string,
    filter: { unit?: string; outcome?: SubmissionState; upTo?: number; limit?: number } = {},
  ): SubmissionRecord[] {
    const conditions: [string, unknown][] = [['plan_id = ?', planId]];
    if (filter.unit !== undefined) conditions.push(['unit = ?', filter.unit]);
    if (filter.outcome !== undefined) conditions.push(['outcome = ?', filter.outcome]);
    if (filter.upTo !== undefined) conditions.push(['id <= ?', filter.upTo]);
    const where = conditions.map(([sql]) => sql);
    const args = conditions.map(([, value]) => value);
    const limit = filter.limit ?? 1000;
    return (
      this.db
        .prepare(`SELECT * FROM submissions WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`)
        .all(...args, limit) as Row[]
    )
      .map(toSubmission)
      .reverse();
  }

  lastSubmissionId(): number {
    const r = this.db.prepare('SELECT MAX(id) AS id FROM submissions').get() as Row;
    return Number(r.id ?? 0);
  }

  // ---------------------------------------------------------------- merges

  /** Records a merge as running; throws MergeBusyError when one is running already (in any process). */
  beginMerge(planId: string, trigger: string, startedBy: string): MergeRecord {
    try {
      return this.db.transaction(() => {
        const plan = this.getPlan(planId);
        if (!plan) throw new Error(`no plan ${planId}`);
        const info = this.db
          .prepare(
            `INSERT INTO merges (plan_id, status, trigger, started_by, started_at, current_revision, up_to_submission)
             VALUES (?, 'running', ?, ?, ?, ?, ?)`,
          )
          .run(planId, trigger, startedBy, now(), plan.currentRevision, this.lastSubmissionId());
        return this.getMerge(Number(info.lastInsertRowid))!;
      })();
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new MergeBusyError();
      throw error;
    }
  }

  /**
   * The end of a merge, all at once: the new revision, the submissions' outcomes, the conflicts and the report.
   * Blobs must be stored before; a crash before this commits leaves the merge `running`, redone on restart.
   */
  finishMerge(outcome: MergeOutcome, createdBy: string): MergeRecord {
    const at = now();
    this.db.transaction(() => {
      const merge = this.getMerge(outcome.mergeId);
      if (!merge || merge.status !== 'running') throw new Error(`merge ${outcome.mergeId} is not running`);
      const plan = this.getPlan(merge.planId)!;
      if (plan.currentRevision !== merge.currentRevision) {
        throw new Error(
          `merge ${merge.id}: the plan moved from revision ${merge.currentRevision} to ${plan.currentRevision}`,
        );
      }
      let newRevision: number | null = null;
      if (outcome.revision && outcome.report) {
        newRevision = outcome.report.newRevision;
        this.insertRevision(
          merge.planId,
          newRevision,
          { blob: outcome.revision.blob, plan: outcome.revision.plan, origin: 'merge', mergeId: merge.id, createdBy },
          at,
        );
        const insertConflict = this.db.prepare(
          `INSERT INTO conflicts (plan_id, merge_id, revision, kind, row_id, column_name, base, current, values_json, message_json)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        );
        for (const c of outcome.report.conflicts) {
          insertConflict.run(
            merge.planId,
            merge.id,
            newRevision,
            c.kind,
            c.rowId,
            c.column,
            c.base,
            c.current,
            JSON.stringify(c.values),
            JSON.stringify(c.message),
          );
        }
      }
      if (newRevision !== null && outcome.report) {
        const cells = [...outcome.report.applied, ...outcome.report.conflicts];
        this.supersedeConflicts(merge.planId, cells, newRevision, merge.id, at);
      }
      const setOutcome = this.db.prepare(
        "UPDATE submissions SET outcome = ?, reason_json = ?, merge_id = ? WHERE id = ? AND outcome = 'pending'",
      );
      for (const s of outcome.submissions) {
        setOutcome.run(s.outcome, s.reason ? JSON.stringify(s.reason) : null, merge.id, Number(s.id));
      }
      this.db
        .prepare(
          `UPDATE merges SET status = ?, finished_at = ?, new_revision = ?, report_json = ?, merged_blob = ? WHERE id = ?`,
        )
        .run(
          newRevision === null ? 'empty' : 'done',
          at,
          newRevision,
          outcome.report ? JSON.stringify(outcome.report) : null,
          outcome.revision?.blob ?? null,
          merge.id,
        );
    })();
    return this.getMerge(outcome.mergeId)!;
  }

  failMerge(mergeId: number, error: string): void {
    this.db
      .prepare("UPDATE merges SET status = 'failed', finished_at = ?, error = ? WHERE id = ? AND status = 'running'")
      .run(now(), error.slice(0, 2000), mergeId);
  }

  /** Merges a crash left running: marked interrupted (nothing of theirs was committed); returns their plans. */
  interruptRunningMerges(): MergeRecord[] {
    return this.db.transaction(() => {
      const running = (this.db.prepare("SELECT * FROM merges WHERE status = 'running'").all() as Row[]).map(toMerge);
      this.db.prepare("UPDATE merges SET status = 'interrupted', finished_at = ? WHERE status = 'running'").run(now());
      return running;
    })();
  }

  getMerge(id: number): MergeRecord | undefined {
    const r = this.db.prepare('SELECT * FROM merges WHERE id = ?').get(id) as Row | undefined;
    return r ? toMerge(r) : undefined;
  }

  mergeReport(id: number): MergeReport | undefined {
    const r = this.db.prepare('SELECT report_json FROM merges WHERE id = ?').get(id) as Row | undefined;
    return r ? (jsonOrNull<MergeReport>(r.report_json) ?? undefined) : undefined;
  }

  listMerges(planId: string, limit = 100): MergeRecord[] {
    return (
      this.db.prepare('SELECT * FROM merges WHERE plan_id = ? ORDER BY id DESC LIMIT ?').all(planId, limit) as Row[]
    ).map(toMerge);
  }

  lastMerge(planId: string, status?: MergeStatus): MergeRecord | undefined {
    const r = (
      status
        ? this.db
            .prepare('SELECT * FROM merges WHERE plan_id = ? AND status = ? ORDER BY id DESC LIMIT 1')
            .get(planId, status)
        : this.db.prepare('SELECT * FROM merges WHERE plan_id = ? ORDER BY id DESC LIMIT 1').get(planId)
    ) as Row | undefined;
    return r ? toMerge(r) : undefined;
  }

  // ---------------------------------------------------------------- conflicts

  /** In id order; `page` for one page of them (the API answers in bounded size). */
  listConflicts(
    planId: string,
    status?: 'open' | 'resolved',
    page: { offset: number; limit: number } = { offset: 0, limit: -1 },
  ): ConflictRecord[] {
    const rows = status
      ? this.db
          .prepare('SELECT * FROM conflicts WHERE plan_id = ? AND status = ? ORDER BY id LIMIT ? OFFSET ?')
          .all(planId, status, page.limit, page.offset)
      : this.db
          .prepare('SELECT * FROM conflicts WHERE plan_id = ? ORDER BY id LIMIT ? OFFSET ?')
          .all(planId, page.limit, page.offset);
    return (rows as Row[]).map(toConflict);
  }

  countConflicts(planId: string, status?: 'open' | 'resolved'): number {
    const r = (
      status
        ? this.db.prepare('SELECT COUNT(*) AS n FROM conflicts WHERE plan_id = ? AND status = ?').get(planId, status)
        : this.db.prepare('SELECT COUNT(*) AS n FROM conflicts WHERE plan_id = ?').get(planId)
    ) as Row;
    return Number(r.n);
  }

  getConflict(id: number): ConflictRecord | undefined {
    const r = this.db.prepare('SELECT * FROM conflicts WHERE id = ?').get(id) as Row | undefined;
    return r ? toConflict(r) : undefined;
  }

  /**
   * Closes the open conflicts on the cells (or whole rows) a newer revision applied or conflicted again: their
   * choices are out of date. `mergeId` spares the conflicts that merge has just recorded.
   */
  private supersedeConflicts(
    planId: string,
    cells: readonly { rowId: string | null; column: string | null }[],
    revision: number,
    mergeId: number | null,
    at: string,
  ): void {
    const key = (rowId: string | null, column: string | null): string => `${rowId ?? ''}\u0000${column ?? ''}`;
    const moved = new Set(cells.map((c) => key(c.rowId, c.column)));
    const close = this.db.prepare(
      `UPDATE conflicts SET status = 'resolved', resolved_by = 'system', resolved_at = ?, resolved_revision = ?,
         superseded_by = ? WHERE id = ? AND status = 'open'`,
    );
    for (const c of this.listConflicts(planId, 'open')) {
      if (c.mergeId === mergeId || !moved.has(key(c.rowId, c.column))) continue;
      close.run(at, revision, revision, c.id);
    }
  }

  /**
   * Closes a conflict. With a value, the new revision (blob stored before) carries it and becomes current, in the
   * same transaction; `expectRevision` guards against a merge or another resolution that moved the plan meanwhile.
   */
  resolveConflict(input: {
    id: number;
    by: string;
    value: string | null;
    expectRevision: number;
    revision?: { blob: BlobHash; plan: Plan; note: string };
  }): ConflictRecord {
    const at = now();
    this.db.transaction(() => {
      const c = this.getConflict(input.id);
      if (!c || c.status !== 'open') throw new Error(`conflict ${input.id} is not open`);
      const plan = this.getPlan(c.planId)!;
      if (plan.currentRevision !== input.expectRevision) throw new PlanMovedError();
      let revision: number | null = null;
      if (input.revision) {
        revision = plan.currentRevision + 1;
        this.insertRevision(
          c.planId,
          revision,
          {
            blob: input.revision.blob,
            plan: input.revision.plan,
            origin: 'resolution',
            createdBy: input.by,
            note: input.revision.note,
          },
          at,
        );
      }
      this.db
        .prepare(
          `UPDATE conflicts SET status = 'resolved', resolved_by = ?, resolved_at = ?, resolution = ?, resolved_value = ?,
             resolved_revision = ? WHERE id = ?`,
        )
        .run(input.by, at, input.value === null ? 'keep' : 'value', input.value, revision, input.id);
      // The chosen value is written: other open conflicts on that cell (older merges) are out of date now.
      if (revision !== null) this.supersedeConflicts(c.planId, [c], revision, null, at);
    })();
    return this.getConflict(input.id)!;
  }

  // ---------------------------------------------------------------- tokens

  /** A new token; the caller shows `token` once, only its hash is kept. */
  createToken(input: { role: Role; unit?: string; label?: string }): { token: string; record: TokenRecord } {
    const token = 'caf_' + randomBytes(32).toString('base64url');
    const id = randomBytes(6).toString('hex');
    this.db
      .prepare('INSERT INTO tokens (id, hash, role, unit, label, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, sha256(token), input.role, input.role === 'unit' ? input.unit! : null, input.label ?? null, now());
    return { token, record: this.getToken(id)! };
  }

  /** The live token a secret belongs to, or undefined (unknown, malformed or revoked). */
  findToken(secret: string): TokenRecord | undefined {
    if (!TOKEN_RE.test(secret)) return undefined;
    const r = this.db.prepare('SELECT * FROM tokens WHERE hash = ? AND revoked_at IS NULL').get(sha256(secret)) as
      Row | undefined;
    return r ? toToken(r) : undefined;
  }

  getToken(id: string): TokenRecord | undefined {
    const r = this.db.prepare('SELECT * FROM tokens WHERE id = ?').get(id) as Row | undefined;
    return r ? toToken(r) : undefined;
  }

  listTokens(): TokenRecord[] {
    return (this.db.prepare('SELECT * FROM tokens ORDER BY created_at, id').all() as Row[]).map(toToken);
  }

  revokeToken(id: string): boolean {
    return (
      this.db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now(), id).changes > 0
    );
  }

  countTokens(role: Role): number {
    const r = this.db
      .prepare('SELECT COUNT(*) AS n FROM tokens WHERE role = ? AND revoked_at IS NULL')
      .get(role) as Row;
    return Number(r.n);
  }

  // ---------------------------------------------------------------- page sessions

  /** A page session for a live token; the caller puts `secret` in the cookie once, only its hash is kept. */
  createSession(tokenId: string, hours: number): { secret: string; record: SessionRecord } {
    const token = this.getToken(tokenId);
    if (!token || token.revokedAt !== null) throw new Error(`session: token ${tokenId} is not live`);
    const secret = 'cafs_' + randomBytes(32).toString('base64url');
    const id = randomBytes(6).toString('hex');
    const at = new Date();
    const expires = new Date(at.getTime() + hours * 3600_000);
    this.db.transaction(() => {
      // Sessions long expired are of no use to anyone: dropped as new ones come.
      this.db
        .prepare('DELETE FROM sessions WHERE expires_at < ?')
        .run(new Date(at.getTime() - 7 * 86_400_000).toISOString());
      this.db
        .prepare(
          'INSERT INTO sessions (id, hash, token_id, role, unit, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(id, sha256(secret), token.id, token.role, token.unit, at.toISOString(), expires.toISOString());
    })();
    return { secret, record: this.getSession(id)! };
  }

  /** The live session a cookie value names: not revoked, not expired, its token not revoked. */
  findSession(secret: string, at: Date = new Date()): { session: SessionRecord; token: TokenRecord } | undefined {
    if (!SESSION_RE.test(secret)) return undefined;
    const r = this.db
      .prepare(
        `SELECT s.* FROM sessions s JOIN tokens t ON t.id = s.token_id
         WHERE s.hash = ? AND s.revoked_at IS NULL AND t.revoked_at IS NULL AND s.expires_at > ?`,
      )
      .get(sha256(secret), at.toISOString()) as Row | undefined;
    if (!r) return undefined;
    const session = toSession(r);
    return { session, token: this.getToken(session.tokenId)! };
  }

  getSession(id: string): SessionRecord | undefined {
    const r = this.db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as Row | undefined;
    return r ? toSession(r) : undefined;
  }

  /** Ends a session (sign-out); false when it was not live. */
  revokeSession(id: string): boolean {
    return (
      this.db.prepare('UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now(), id).changes >
      0
    );
  }

  // ---------------------------------------------------------------- audit

  audit(actor: string, action: string, target?: string | null, details?: unknown): void {
    this.db
      .prepare('INSERT INTO audit (at, actor, action, target, details) VALUES (?, ?, ?, ?, ?)')
      .run(now(), actor, action, target ?? null, details === undefined ? null : JSON.stringify(details));
  }

  listAudit(limit = 200): AuditRecord[] {
    return (this.db.prepare('SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(limit) as Row[]).map((r) => ({
      id: Number(r.id),
      at: str(r.at),
      actor: str(r.actor),
      action: str(r.action),
      target: strOrNull(r.target),
      details: jsonOrNull<unknown>(r.details),
    }));
  }
}

export class MergeBusyError extends Error {
  constructor() {
    super('a merge is running already');
    this.name = 'MergeBusyError';
  }
}

export class PlanMovedError extends Error {
  constructor() {
    super('the plan moved to another revision meanwhile');
    this.name = 'PlanMovedError';
  }
}

export function openStore(dataDir: string): Store {
  return new Store(dataDir);
}
