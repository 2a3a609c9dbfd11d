// The drop folder: department heads (or a shared network folder's sync) put their filled-in copies in one folder;
// the service takes each .xlsx as a submission once it has stopped growing, then moves it to `archive/` (taken) or
// `refused/` (with a `.reason.txt` note beside it). A file is moved only after its submission is durable, and a
// moved file never overwrites another: names carry the time and the content hash. A crash between the two steps
// leaves the file in place; the next scan finds its bytes already taken (same unit, same hash) and just archives it.
import { createHash } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { copyFile, link, lstat, mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Bilingual } from '../../plan/model';
import type { Store } from '../store/store';
import { reasonNote, takeWorkbook } from './take';

export const FolderSourceOptions = z.object({
  /** The folder people drop their copies into. */
  inbox: z.string().min(1),
  /** Where taken files go; default `<inbox>/archive`. */
  archiveDir: z.string().min(1).optional(),
  /** Where refused files go with their `.reason.txt`; default `<inbox>/refused`. */
  refusedDir: z.string().min(1).optional(),
  /** Take copies for this plan only; by default the plan named in each file's metadata. */
  planId: z.string().min(1).optional(),
  /** A file is taken once its size and modification time held still across two scans and for this long. */
  stableMs: z.number().int().nonnegative().default(5_000),
  /** Larger files are refused (same cap as an HTTP upload). */
  maxBytes: z
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  /** Pause between two scans when started with start(). */
  intervalMs: z.number().int().positive().default(30_000),
});
export type FolderSourceOptions = z.input<typeof FolderSourceOptions>;
type Options = z.output<typeof FolderSourceOptions>;

export type FolderOutcome =
  | { file: string; kind: 'taken'; submission: string; unit: string; duplicate: boolean; movedTo: string }
  | { file: string; kind: 'refused'; code: string; reason: Bilingual; movedTo: string }
  /** Still being copied (or changed since the last scan): looked at again next time. */
  | { file: string; kind: 'waiting' }
  /** Something on our side failed (disk, database): the file stays and is tried again next scan. */
  | { file: string; kind: 'error'; message: string };

export interface FolderScan {
  startedAt: string;
  finishedAt: string;
  outcomes: FolderOutcome[];
}

interface Seen {
  size: number;
  mtimeMs: number;
  ino: number;
}

/**
 * Lock and temporary files of Excel, LibreOffice, browsers and copy tools: never submissions, never touched (a lock
 * file moved away would break the program that holds it). Any other name, a leading dot included (`.copie.xlsx`,
 * macOS's `._copie.xlsx`), is taken or refused with a note like every file.
 */
const IGNORED = [/^~\$/, /^\.~lock\..*#$/, /~$/, /\.(tmp|temp|part|partial|crdownload|download)$/i];

const refusal = (code: string, ro: string, en: string) => ({ code, reason: { ro, en } });

export class FolderSource {
  readonly options: Options;
  readonly archiveDir: string;
  readonly refusedDir: string;
  private readonly seen = new Map<string, Seen>();
  private scanning: Promise<FolderScan> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private last: FolderScan | undefined;

  constructor(
    private readonly store: Store,
    options: FolderSourceOptions,
    private readonly deps: { logger?: Logger; now?: () => Date } = {},
  ) {
    this.options = FolderSourceOptions.parse(options);
    this.options.inbox = path.resolve(this.options.inbox);
    this.archiveDir = path.resolve(this.options.archiveDir ?? path.join(this.options.inbox, 'archive'));
    this.refusedDir = path.resolve(this.options.refusedDir ?? path.join(this.options.inbox, 'refused'));
  }

  get actor(): string {
    return `folder:${this.options.inbox}`;
  }

  /** The last finished scan, for a status page. */
  get lastScan(): FolderScan | undefined {
    return this.last;
  }

  /** One pass over the inbox. Concurrent calls share the pass that is running. */
  scan(): Promise<FolderScan> {
    this.scanning ??= this.scanOnce().finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  /** Scans now and then every `intervalMs` after the previous scan ended, until stop(). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = async (): Promise<void> => {
      try {
        await this.scan();
      } catch (error) {
        this.deps.logger?.error({ err: error, inbox: this.options.inbox }, 'drop folder scan failed');
      }
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.options.intervalMs);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.scanning?.catch(() => undefined);
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private async scanOnce(): Promise<FolderScan> {
    const startedAt = this.now().toISOString();
    await mkdir(this.options.inbox, { recursive: true });
    const names = (await readdir(this.options.inbox)).sort();
    const outcomes: FolderOutcome[] = [];
    const present = new Set<string>();
    for (const name of names) {
      if (IGNORED.some((re) => re.test(name))) continue;
      const file = path.join(this.options.inbox, name);
      // readdir names are single entries, but a name is still only a label: it must resolve inside the inbox.
      if (path.dirname(file) !== this.options.inbox) continue;
      let stats: Stats;
      try {
        stats = await lstat(file);
      } catch {
        continue; // gone meanwhile
      }
      if (stats.isDirectory()) continue;
      present.add(name);
      try {
        const outcome = await this.consider(name, file, stats);
        if (outcome) outcomes.push(outcome);
      } catch (error) {
        this.deps.logger?.error({ err: error, file }, 'drop folder: file not taken, will retry');
        outcomes.push({ file: name, kind: 'error', message: error instanceof Error ? error.message : String(error) });
      }
    }
    for (const name of this.seen.keys()) if (!present.has(name)) this.seen.delete(name);
    const scan = { startedAt, finishedAt: this.now().toISOString(), outcomes };
    this.last = scan;
    return scan;
  }

  private async consider(name: string, file: string, stats: Stats): Promise<FolderOutcome | undefined> {
    // Whatever it turns out to be, a file is not touched while it is still being written.
    const now = this.now().getTime();
    const was = this.seen.get(name);
    const still = was && was.size === stats.size && was.mtimeMs === stats.mtimeMs && was.ino === stats.ino;
    this.seen.set(name, { size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino });
    if (!still || now - stats.mtimeMs < this.options.stableMs) return { file: name, kind: 'waiting' };
    // A link could point anywhere on the server (`/etc/...`, another unit's folder): never follow it.
    if (!stats.isFile()) {
      return this.refuse(
        name,
        file,
        undefined,
        refusal(
          'folder-not-a-file',
          'Nu este un fișier obișnuit (o scurtătură sau o legătură simbolică); copiați fișierul însuși în dosar.',
          'Not a regular file (a shortcut or symbolic link); copy the file itself into the folder.',
        ),
      );
    }
    if (!/\.xlsx$/i.test(name)) {
      return this.refuse(
        name,
        file,
        undefined,
        refusal(
          'folder-not-xlsx',
          'Se preiau doar fișiere .xlsx (Excel). Salvați copia ca „Registru de lucru Excel (.xlsx)” și puneți-o din nou.',
          'Only .xlsx (Excel) files are taken. Save the copy as "Excel Workbook (.xlsx)" and drop it again.',
        ),
      );
    }
    if (stats.size > this.options.maxBytes) {
      const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
      return this.refuse(
        name,
        file,
        undefined,
        refusal(
          'folder-too-large',
          `Fișierul are ${mb(stats.size)} MB; se preiau fișiere de cel mult ${mb(this.options.maxBytes)} MB.`,
          `The file is ${mb(stats.size)} MB; files of at most ${mb(this.options.maxBytes)} MB are taken.`,
        ),
      );
    }
    const bytes = new Uint8Array(await readFile(file));
    if (bytes.length !== stats.size || (await changed(file, stats))) return { file: name, kind: 'waiting' };
    const hash = createHash('sha256').update(bytes).digest('hex');
    const taken = await takeWorkbook(this.store, {
      bytes,
      source: 'folder',
      actor: this.actor,
      fileName: name,
      receivedAt: this.now().toISOString(),
      ...(this.options.planId ? { planId: this.options.planId } : {}),
    });
    if (taken.kind === 'refused') return this.refuse(name, file, hash, taken);
    this.seen.delete(name);
    const movedTo = await this.move(file, name, hash, this.archiveDir);
    const s = taken.intake.submission;
    this.deps.logger?.info(
      { file: name, submission: s.id, unit: s.unit, duplicate: taken.intake.duplicate },
      'drop folder: taken',
    );
    return { file: name, kind: 'taken', submission: s.id, unit: s.unit, duplicate: taken.intake.duplicate, movedTo };
  }

  private async refuse(
    name: string,
    file: string,
    hash: string | undefined,
    why: { code: string; reason: Bilingual },
  ): Promise<FolderOutcome> {
    this.seen.delete(name);
    const at = this.now().toISOString();
    if (hash === undefined) {
      // Refused before reading (the takeWorkbook path records its own refusals).
      this.store.audit(this.actor, 'submission.refused', name, {
        source: 'folder',
        code: why.code,
        reason: why.reason,
      });
    }
    const movedTo = await this.move(file, name, hash ?? 'nohash', this.refusedDir);
    await writeFile(`${movedTo}.reason.txt`, reasonNote({ fileName: name, code: why.code, reason: why.reason, at }), {
      flag: 'wx',
    });
    this.deps.logger?.warn({ file: name, code: why.code, movedTo }, 'drop folder: refused');
    return { file: name, kind: 'refused', code: why.code, reason: why.reason, movedTo };
  }

  /** Moves without ever replacing a file: a hard link fails when the name exists; a copy across disks likewise. */
  private async move(file: string, name: string, hash: string, dir: string): Promise<string> {
    await mkdir(dir, { recursive: true });
    const stamp = this.now()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const base = `${stamp}-${hash.slice(0, 12)}-${safeName(name)}`;
    for (let n = 1; ; n++) {
      const target = path.join(dir, n === 1 ? base : base.replace(/(\.[^.]*)?$/, `-${n}$1`));
      try {
        await link(file, target);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') continue;
        if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw error;
        try {
          await copyFile(file, target, constants.COPYFILE_EXCL);
        } catch (copyError) {
          if ((copyError as NodeJS.ErrnoException).code === 'EEXIST') continue;
          throw copyError;
        }
      }
      await unlink(file);
      return target;
    }
  }
}

async function changed(file: string, before: Stats): Promise<boolean> {
  try {
    const after = await lstat(file);
    return after.size !== before.size || after.mtimeMs !== before.mtimeMs || after.ino !== before.ino;
  } catch {
    return true;
  }
}

/**
 * A file name safe on every disk the archive may live on: letters (Romanian ones too), digits, dot, dash and
 * underscore; no leading dot, no control or path characters, no reserved Windows names; at most 100 characters.
 */
export function safeName(name: string): string {
  const ext = /\.[A-Za-z0-9]{1,8}$/.exec(name)?.[0].toLowerCase() ?? '';
  let stem = name
    .slice(0, name.length - ext.length)
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '_')
    .replace(/^[._]+/, '')
    .replace(/_*\.{2,}_*/g, '_')
    .replace(/_{2,}/g, '_')
    .slice(0, 100);
  if (stem === '' || /^(con|prn|aux|nul|com\d|lpt\d)$/i.test(stem)) stem = `file_${stem}`;
  return stem + ext;
}
