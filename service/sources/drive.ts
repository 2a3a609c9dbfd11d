// The Google Drive folder source: department heads put their copies (.xlsx files, or Google Sheets they edited
// in the browser) in a shared folder; each run takes what is new or changed since the last run through the Changes
// API, and publishes the merged master into an output folder.
//
// Google specifics this file is built around (docs/GUIDE.md):
// - every call passes `{ rootUrl }` in its own options (the `DriveCalls` wrapper): a rootUrl given to
//   google.drive() is ignored by media uploads (googleapis #1921), and google.options({rootUrl}) is ignored.
// - service accounts have no storage quota: the output goes into a Shared Drive folder (supportsAllDrives), or
//   replaces the content of a file a person created there.
// - files.export of a Google Sheet is capped at 10 MB by Google; the refusal says so and what to do.
// - the cursor (a Changes API page token) only moves when a run went through to the end: a Drive that answers 500
//   or times out leaves it where it was, and the next run catches up. Files taken meanwhile are remembered by id and
//   version, and the store takes the same bytes from a unit only once, so nothing is taken twice.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { google, type drive_v3 } from 'googleapis';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CafError } from '../../plan/errors';
import type { Bilingual } from '../../plan/model';
import type { Store } from '../store/store';
import { takeWorkbook } from './take';

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const SHEET_MIME = 'application/vnd.google-apps.spreadsheet';
/** Google refuses files.export above this size. */
export const EXPORT_LIMIT_BYTES = 10 * 1024 * 1024;
export const DRIVE_SCOPES = ['https://www.googleapis.com/auth/drive'];

export const DriveSourceOptions = z.object({
  /** The folder department heads put their copies in. */
  folderId: z.string().min(1),
  /** The folder the merged master is published to (in a Shared Drive, or holding a file a person created). */
  outputFolderId: z.string().min(1).optional(),
  /** The Shared Drive both folders live in, when they do: changes are then listed for that drive. */
  driveId: z.string().min(1).optional(),
  /** Take copies for this plan only; by default the plan named in each file's metadata. */
  planId: z.string().min(1).optional(),
  /** Google's API root; a fake Drive on 127.0.0.1 in tests. */
  rootUrl: z.string().url().default('https://www.googleapis.com/'),
  /** Per request, in ms: a Drive that does not answer in time fails the run, which the next run repeats. */
  timeoutMs: z.number().int().positive().default(30_000),
  /** Retries of one request (5xx, 429, network) before the run gives up. */
  retries: z.number().int().nonnegative().default(2),
  /** Largest .xlsx downloaded (same cap as an HTTP upload). */
  maxBytes: z
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  /** Name of the published workbook in the output folder; default `<planId>.xlsx`. */
  outputName: z.string().min(1).max(200).optional(),
  /** The run's cursor and memory (JSON); default `<dataDir>/sources/drive-<folder hash>.json`. */
  stateFile: z.string().min(1).optional(),
  pageSize: z.number().int().min(1).max(1000).default(100),
  intervalMs: z
    .number()
    .int()
    .positive()
    .default(15 * 60_000),
});
export type DriveSourceOptions = z.input<typeof DriveSourceOptions>;
type Options = z.output<typeof DriveSourceOptions>;

/** What a run did with each file it looked at. */
export type DriveOutcome =
  | { fileId: string; name: string; kind: 'taken'; submission: string; unit: string; duplicate: boolean }
  | { fileId: string; name: string; kind: 'refused'; code: string; reason: Bilingual }
  /** Seen already (same version), not a spreadsheet, outside the folder, trashed or removed. */
  | {
      fileId: string;
      name: string;
      kind: 'skipped';
      why: 'seen' | 'not-spreadsheet' | 'outside-folder' | 'trashed' | 'removed';
    };

export interface DriveProblem {
  code:
    'drive-unavailable' | 'drive-timeout' | 'drive-auth' | 'drive-denied' | 'drive-not-found' | 'drive-rate-limited';
  status: number | null;
  message: Bilingual;
  /** Google's own message, for the log. */
  detail: string;
}

export type DriveRun =
  | { ok: true; startedAt: string; outcomes: DriveOutcome[]; cursor: { from: string | null; to: string } }
  | { ok: false; startedAt: string; outcomes: DriveOutcome[]; cursor: { from: string | null }; error: DriveProblem };

export type DrivePublish =
  | { ok: true; fileId: string; created: boolean; revision: number; skipped: boolean }
  | { ok: false; error: DriveProblem };

const DriveState = z.object({
  cursor: z.string().nullable().default(null),
  /** fileId -> version key of what was taken or refused last (md5 / head revision / version). */
  seen: z.record(z.string(), z.string()).default({}),
  /** planId -> the revision last published and the file it went to. */
  published: z.record(z.string(), z.object({ revision: z.number().int(), fileId: z.string() })).default({}),
});
type DriveState = z.infer<typeof DriveState>;

const FILE_FIELDS = 'id,name,mimeType,parents,trashed,size,md5Checksum,headRevisionId,version,modifiedTime';

/**
 * The one place that calls Drive: each call gets `{ rootUrl, timeout, retryConfig }` in its own options, so uploads
 * and downloads go where the metadata calls go (never toward Google in tests), and every call has a deadline.
 */
export class DriveCalls {
  constructor(
    readonly drive: drive_v3.Drive,
    private readonly o: { rootUrl: string; timeoutMs: number; retries: number },
  ) {}

  private options(extra: Record<string, unknown> = {}) {
    return {
      rootUrl: this.o.rootUrl,
      timeout: this.o.timeoutMs,
      retryConfig: {
        retry: this.o.retries,
        noResponseRetries: this.o.retries,
        retryDelay: 250,
        httpMethodsToRetry: ['GET', 'HEAD', 'OPTIONS', 'DELETE', 'PUT'],
        statusCodesToRetry: [
          [429, 429],
          [500, 599],
        ],
      },
      ...extra,
    };
  }

  async startPageToken(driveId?: string): Promise<string> {
    const res = await this.drive.changes.getStartPageToken(
      { supportsAllDrives: true, ...(driveId ? { driveId } : {}) },
      this.options(),
    );
    if (!res.data.startPageToken) throw new Error('Drive gave no start page token');
    return res.data.startPageToken;
  }

  async changes(pageToken: string, pageSize: number, driveId?: string): Promise<drive_v3.Schema$ChangeList> {
    const res = await this.drive.changes.list(
      {
        pageToken,
        pageSize,
        supportsAllDrives: true,
        includeItemsFromAllDrives: true,
        includeRemoved: true,
        ...(driveId ? { driveId } : {}),
        fields: `nextPageToken,newStartPageToken,changes(fileId,removed,time,file(${FILE_FIELDS}))`,
      },
      this.options(),
    );
    return res.data;
  }

  async list(q: string, pageSize: number, pageToken?: string, driveId?: string): Promise<drive_v3.Schema$FileList> {
    const res = await this.drive.files.list(
      {
        q,
        pageSize,
        supportsAllDrives: true,
        includeItemsFromAllDrives: true,
        ...(driveId ? { driveId, corpora: 'drive' } : { corpora: 'allDrives' }),
        ...(pageToken ? { pageToken } : {}),
        fields: `nextPageToken,files(${FILE_FIELDS})`,
      },
      this.options(),
    );
    return res.data;
  }

  async download(fileId: string): Promise<Uint8Array> {
    const res = await this.drive.files.get(
      { fileId, alt: 'media', supportsAllDrives: true },
      this.options({ responseType: 'arraybuffer' }),
    );
    return new Uint8Array(res.data as unknown as ArrayBuffer);
  }

  async exportXlsx(fileId: string): Promise<Uint8Array> {
    const res = await this.drive.files.export(
      { fileId, mimeType: XLSX_MIME },
      this.options({ responseType: 'arraybuffer' }),
    );
    return new Uint8Array(res.data as unknown as ArrayBuffer);
  }

  async create(input: { name: string; parent: string; bytes: Uint8Array }): Promise<drive_v3.Schema$File> {
    const res = await this.drive.files.create(
      {
        supportsAllDrives: true,
        fields: FILE_FIELDS,
        requestBody: { name: input.name, parents: [input.parent], mimeType: XLSX_MIME },
        media: { mimeType: XLSX_MIME, body: Readable.from([Buffer.from(input.bytes)]) },
      },
      // A stream cannot be sent twice: an upload is not retried inside the call; the next publish repeats it.
      this.options({ retryConfig: { retry: 0, noResponseRetries: 0 } }),
    );
    return res.data;
  }

  async update(input: { fileId: string; bytes: Uint8Array }): Promise<drive_v3.Schema$File> {
    const res = await this.drive.files.update(
      {
        fileId: input.fileId,
        supportsAllDrives: true,
        fields: FILE_FIELDS,
        media: { mimeType: XLSX_MIME, body: Readable.from([Buffer.from(input.bytes)]) },
      },
      this.options({ retryConfig: { retry: 0, noResponseRetries: 0 } }),
    );
    return res.data;
  }
}

/** A Drive query string literal: backslash and quote escaped, as the Drive search syntax wants. */
export function qString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const KeyFile = z.object({
  type: z.literal('service_account'),
  client_email: z.string().email(),
  private_key: z.string().includes('PRIVATE KEY'),
});

/** The service account's credentials (JWT) from its JSON key file; a clear error when the file is not one. */
export function serviceAccountAuth(keyFile: string): InstanceType<typeof google.auth.JWT> {
  let key: z.infer<typeof KeyFile>;
  try {
    key = KeyFile.parse(JSON.parse(readFileSync(keyFile, 'utf8')));
  } catch {
    throw new CafError('drive-key-invalid', {
      ro: `Fișierul de cheie „${keyFile}” nu este cheia JSON a unui cont de serviciu Google (type, client_email, private_key).`,
      en: `The key file "${keyFile}" is not the JSON key of a Google service account (type, client_email, private_key).`,
    });
  }
  return new google.auth.JWT({ email: key.client_email, key: key.private_key, scopes: DRIVE_SCOPES });
}

type Auth = NonNullable<drive_v3.Options['auth']>;

export class DriveSource {
  readonly options: Options;
  readonly calls: DriveCalls;
  private readonly stateFile: string;
  private running: Promise<DriveRun> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private last: DriveRun | undefined;

  constructor(
    private readonly store: Store,
    options: DriveSourceOptions,
    auth: Auth,
    private readonly deps: { logger?: Logger; now?: () => Date } = {},
  ) {
    this.options = DriveSourceOptions.parse(options);
    this.calls = new DriveCalls(google.drive({ version: 'v3', auth }), this.options);
    const folderKey = createHash('sha256').update(this.options.folderId).digest('hex').slice(0, 16);
    this.stateFile = this.options.stateFile ?? path.join(store.dataDir, 'sources', `drive-${folderKey}.json`);
  }

  get actor(): string {
    return `drive:${this.options.folderId}`;
  }

  get lastRun(): DriveRun | undefined {
    return this.last;
  }

  /** The cursor stored after the last complete run (null before the first). */
  get cursor(): string | null {
    return this.readState().cursor;
  }

  /** One run; concurrent calls share the run in progress. */
  run(): Promise<DriveRun> {
    this.running ??= this.runOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * One run, then the publication of every plan's current revision when an output folder is set (a no-op for a
   * revision published already), so a merge or a resolution reaches Drive by the next sync without a hook.
   */
  async sync(): Promise<{ run: DriveRun; published: Record<string, DrivePublish> }> {
    const run = await this.run();
    const published: Record<string, DrivePublish> = {};
    if (this.options.outputFolderId) {
      const plans = this.options.planId ? [this.options.planId] : this.store.listPlans().map((p) => p.id);
      for (const planId of plans) published[planId] = await this.publish(planId);
    }
    return { run, published };
  }

  /** sync() now, then every `intervalMs` after the previous one ended, until stop(). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = async (): Promise<void> => {
      const result = await this.sync().catch((error: unknown) => {
        this.deps.logger?.error({ err: error }, 'drive sync failed');
        return undefined;
      });
      if (result && !result.run.ok) {
        this.deps.logger?.warn({ error: result.run.error }, 'drive run incomplete; the next run catches up');
      }
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.options.intervalMs);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async runOnce(): Promise<DriveRun> {
    const startedAt = (this.deps.now?.() ?? new Date()).toISOString();
    const state = this.readState();
    const from = state.cursor;
    const outcomes: DriveOutcome[] = [];
    try {
      let to: string;
      if (from === null) {
        // First run: the token first, then the folder as it is; what changes while listing shows up next run.
        to = await this.calls.startPageToken(this.options.driveId);
        let pageToken: string | undefined;
        do {
          const page = await this.calls.list(
            `${qString(this.options.folderId)} in parents and trashed = false`,
            this.options.pageSize,
            pageToken,
            this.options.driveId,
          );
          for (const file of page.files ?? []) outcomes.push(await this.consider(file, state));
          pageToken = page.nextPageToken ?? undefined;
        } while (pageToken);
      } else {
        let pageToken: string = from;
        for (;;) {
          const page = await this.calls.changes(pageToken, this.options.pageSize, this.options.driveId);
          for (const change of page.changes ?? []) {
            const fileId = change.fileId ?? change.file?.id ?? '';
            if (change.removed || !change.file) {
              delete state.seen[fileId];
              outcomes.push({ fileId, name: '', kind: 'skipped', why: 'removed' });
            } else {
              outcomes.push(await this.consider(change.file, state));
            }
          }
          if (page.nextPageToken) pageToken = page.nextPageToken;
          else if (page.newStartPageToken) {
            to = page.newStartPageToken;
            break;
          } else throw new Error('Drive changes page without a next or new start page token');
        }
      }
      state.cursor = to;
      this.writeState(state);
      const done: DriveRun = { ok: true, startedAt, outcomes, cursor: { from, to } };
      this.last = done;
      return done;
    } catch (error) {
      const problem = driveProblem(error);
      if (!problem) throw error;
      // Keep what was taken (the `seen` map), never the cursor: the next run reads the same changes again.
      this.writeState({ ...state, cursor: from });
      this.deps.logger?.warn(
        { code: problem.code, status: problem.status, detail: problem.detail },
        'drive run stopped',
      );
      const failed: DriveRun = { ok: false, startedAt, outcomes, cursor: { from }, error: problem };
      this.last = failed;
      return failed;
    }
  }

  private async consider(file: drive_v3.Schema$File, state: DriveState): Promise<DriveOutcome> {
    const fileId = file.id ?? '';
    const name = file.name ?? '';
    if (file.trashed) {
      delete state.seen[fileId];
      return { fileId, name, kind: 'skipped', why: 'trashed' };
    }
    if (!(file.parents ?? []).includes(this.options.folderId))
      return { fileId, name, kind: 'skipped', why: 'outside-folder' };
    if (file.mimeType !== XLSX_MIME && file.mimeType !== SHEET_MIME)
      return { fileId, name, kind: 'skipped', why: 'not-spreadsheet' };
    const version = versionKey(file);
    if (state.seen[fileId] === version) return { fileId, name, kind: 'skipped', why: 'seen' };

    let outcome: DriveOutcome;
    const refused = (code: string, reason: Bilingual): DriveOutcome => {
      this.store.audit(this.actor, 'submission.refused', name, { source: 'drive', fileId, code, reason });
      return { fileId, name, kind: 'refused', code, reason };
    };
    const size = Number(file.size ?? 0);
    if (file.mimeType === XLSX_MIME && size > this.options.maxBytes) {
      outcome = refused('drive-too-large', tooLarge(size, this.options.maxBytes));
    } else {
      const bytes = await this.fetchBytes(file);
      if ('gone' in bytes) return { fileId, name, kind: 'skipped', why: 'removed' };
      if ('refusal' in bytes) {
        outcome = refused(bytes.refusal.code, bytes.refusal.reason);
      } else {
        const taken = await takeWorkbook(this.store, {
          bytes: bytes.bytes,
          source: 'drive',
          actor: this.actor,
          fileName: file.mimeType === SHEET_MIME ? `${name}.xlsx` : name,
          ...(this.options.planId ? { planId: this.options.planId } : {}),
        });
        outcome =
          taken.kind === 'refused'
            ? { fileId, name, kind: 'refused', code: taken.code, reason: taken.reason }
            : {
                fileId,
                name,
                kind: 'taken',
                submission: taken.intake.submission.id,
                unit: taken.intake.submission.unit,
                duplicate: taken.intake.duplicate,
              };
      }
    }
    // Remembered at once (state.cursor is still the run's starting point): a run that fails later does not take
    // this version again.
    state.seen[fileId] = version;
    this.writeState(state);
    this.deps.logger?.info({ fileId, name, outcome: outcome.kind }, 'drive file');
    return outcome;
  }

  private async fetchBytes(
    file: drive_v3.Schema$File,
  ): Promise<{ bytes: Uint8Array } | { refusal: { code: string; reason: Bilingual } } | { gone: true }> {
    try {
      if (file.mimeType === XLSX_MIME) return { bytes: await this.calls.download(file.id!) };
      const bytes = await this.calls.exportXlsx(file.id!);
      if (bytes.length > EXPORT_LIMIT_BYTES)
        return { refusal: { code: 'drive-export-too-large', reason: EXPORT_TOO_LARGE } };
      return { bytes };
    } catch (error) {
      // Deleted between the listing and the download: its removal is the next change.
      if (statusOf(error) === 404) return { gone: true };
      if (reasonOf(error) === 'exportSizeLimitExceeded') {
        return { refusal: { code: 'drive-export-too-large', reason: EXPORT_TOO_LARGE } };
      }
      throw error;
    }
  }

  /**
   * Publishes the plan's current revision (the merged master, with any resolutions) to the output folder:
   * replaces the content of the file of that name when there is one, else creates it. Nothing is sent when that
   * revision was published already.
   */
  async publish(planId: string): Promise<DrivePublish> {
    const folder = this.options.outputFolderId;
    if (!folder) throw new Error('drive: no output folder configured');
    const plan = this.store.getPlan(planId);
    if (!plan)
      throw new CafError('plan-not-found', { ro: `Planul „${planId}” nu există.`, en: `No plan "${planId}".` }, 404);
    const state = this.readState();
    const done = state.published[planId];
    if (done && done.revision === plan.currentRevision) {
      return { ok: true, fileId: done.fileId, created: false, revision: plan.currentRevision, skipped: true };
    }
    const revision = this.store.getRevision(planId, plan.currentRevision)!;
    const bytes = this.store.blobs.get(revision.blob);
    const name = this.options.outputName ?? `${planId}.xlsx`;
    try {
      const existing = await this.calls.list(
        `name = ${qString(name)} and ${qString(folder)} in parents and trashed = false`,
        10,
        undefined,
        this.options.driveId,
      );
      const target = existing.files?.[0];
      const file = target?.id
        ? await this.calls.update({ fileId: target.id, bytes })
        : await this.calls.create({ name, parent: folder, bytes });
      const fileId = file.id!;
      this.writeState({
        ...this.readState(),
        published: { ...state.published, [planId]: { revision: plan.currentRevision, fileId } },
      });
      this.store.audit(this.actor, 'drive.published', planId, {
        revision: plan.currentRevision,
        fileId,
        name,
        created: !target,
      });
      return { ok: true, fileId, created: !target, revision: plan.currentRevision, skipped: false };
    } catch (error) {
      const problem = driveProblem(error);
      if (!problem) throw error;
      this.deps.logger?.warn({ code: problem.code, detail: problem.detail }, 'drive publish failed');
      return { ok: false, error: problem };
    }
  }

  private readState(): DriveState {
    try {
      return DriveState.parse(JSON.parse(readFileSync(this.stateFile, 'utf8')));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return DriveState.parse({});
      throw error;
    }
  }

  /** Temporary file, fsync, rename: a crash leaves the old state or the new one, never half of one. */
  private writeState(state: DriveState): void {
    mkdirSync(path.dirname(this.stateFile), { recursive: true });
    const tmp = `${this.stateFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fd = openSync(tmp, 'wx', 0o640);
    try {
      writeSync(fd, JSON.stringify(state));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.stateFile);
  }
}

/** What identifies one version of a file: its content hash for binary files, Drive's version for Google Sheets. */
function versionKey(file: drive_v3.Schema$File): string {
  return file.md5Checksum ?? file.headRevisionId ?? `v${file.version ?? ''}@${file.modifiedTime ?? ''}`;
}

const EXPORT_TOO_LARGE: Bilingual = {
  ro: 'Foaia Google este prea mare pentru export: Google exportă ca .xlsx doar fișiere de cel mult 10 MB. Descărcați-o din Google Sheets ca .xlsx (Fișier > Descărcați > Microsoft Excel) și puneți fișierul .xlsx în dosar.',
  en: 'The Google Sheet is too large to export: Google exports as .xlsx only files up to 10 MB. Download it from Google Sheets as .xlsx (File > Download > Microsoft Excel) and put the .xlsx file in the folder.',
};

function tooLarge(size: number, max: number): Bilingual {
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  return {
    ro: `Fișierul are ${mb(size)} MB; se preiau fișiere de cel mult ${mb(max)} MB.`,
    en: `The file is ${mb(size)} MB; files of at most ${mb(max)} MB are taken.`,
  };
}

function statusOf(error: unknown): number | null {
  const e = error as { status?: unknown; response?: { status?: unknown } };
  const status = typeof e?.status === 'number' ? e.status : e?.response?.status;
  return typeof status === 'number' ? status : null;
}

function reasonOf(error: unknown): string | undefined {
  const data = (error as { response?: { data?: unknown } })?.response?.data;
  let body: unknown = data;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    try {
      body = JSON.parse(Buffer.from(data as ArrayBuffer).toString('utf8'));
    } catch {
      return undefined;
    }
  } else if (typeof data === 'string') {
    try {
      body = JSON.parse(data);
    } catch {
      return undefined;
    }
  }
  return (body as { error?: { errors?: { reason?: string }[] } })?.error?.errors?.[0]?.reason;
}

/** A Drive failure as a value the run reports; undefined for errors that are not Drive's (a bug, the disk). */
export function driveProblem(error: unknown): DriveProblem | undefined {
  const e = error as { name?: string; code?: unknown; message?: string };
  const detail = String(e?.message ?? error).slice(0, 500);
  const status = statusOf(error);
  const isGaxios = e?.name === 'GaxiosError' || status !== null;
  // gaxios 7 (node-fetch) aborts a late request with an AbortError as cause; gaxios 8 (fetch) says TimeoutError.
  const cause = (error as { cause?: { name?: string } })?.cause;
  const timedOut =
    e?.code === 'TimeoutError' ||
    e?.name === 'TimeoutError' ||
    e?.name === 'AbortError' ||
    cause?.name === 'AbortError' ||
    /timeout|timed out|operation was aborted/i.test(detail);
  if (timedOut) {
    return {
      code: 'drive-timeout',
      status,
      detail,
      message: {
        ro: 'Google Drive nu a răspuns la timp. Nimic nu s-a pierdut: următoarea rulare reia de unde a rămas.',
        en: 'Google Drive did not answer in time. Nothing was lost: the next run resumes where this one stopped.',
      },
    };
  }
  if (!isGaxios && !['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN'].includes(String(e?.code)))
    return undefined;
  const reason = reasonOf(error);
  if (status === 401) {
    return {
      code: 'drive-auth',
      status,
      detail,
      message: {
        ro: 'Google Drive a refuzat autentificarea contului de serviciu: verificați fișierul de cheie.',
        en: 'Google Drive refused the service account’s authentication: check the key file.',
      },
    };
  }
  if (status === 429 || reason === 'rateLimitExceeded' || reason === 'userRateLimitExceeded') {
    return {
      code: 'drive-rate-limited',
      status,
      detail,
      message: {
        ro: 'Google Drive limitează temporar cererile; următoarea rulare reia de unde a rămas.',
        en: 'Google Drive is temporarily limiting requests; the next run resumes where this one stopped.',
      },
    };
  }
  if (status === 403) {
    return {
      code: 'drive-denied',
      status,
      detail,
      message: {
        ro: 'Contul de serviciu nu are acces la dosarul Google Drive: partajați dosarul (sau Shared Drive-ul) cu adresa contului de serviciu.',
        en: 'The service account has no access to the Google Drive folder: share the folder (or the Shared Drive) with the service account’s address.',
      },
    };
  }
  if (status === 404) {
    return {
      code: 'drive-not-found',
      status,
      detail,
      message: {
        ro: 'Dosarul sau fișierul Google Drive nu există ori nu este vizibil contului de serviciu.',
        en: 'The Google Drive folder or file does not exist or is not visible to the service account.',
      },
    };
  }
  return {
    code: 'drive-unavailable',
    status,
    detail,
    message: {
      ro: `Google Drive nu este disponibil acum${status ? ` (HTTP ${status})` : ''}. Nimic nu s-a pierdut: următoarea rulare reia de unde a rămas.`,
      en: `Google Drive is unavailable now${status ? ` (HTTP ${status})` : ''}. Nothing was lost: the next run resumes where this one stopped.`,
    },
  };
}
