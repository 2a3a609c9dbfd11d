// `caf-plan backup`: one tar file holding a consistent snapshot of the database, every stored file (all those it
// refers to, and any other in the folder), and a manifest listing each entry with its size and sha256. Safe while the service runs: `VACUUM INTO` copies the
// database inside one read transaction (WAL readers never block the writer, and never see half a transaction), and
// blobs are written and fsynced before any row refers to them and never change afterwards, so every blob the
// snapshot names is already complete on disk. An acknowledged submission is therefore either wholly in the backup
// (row and bytes) or wholly after it.
import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CafError } from '../../plan/errors';
import { APP_VERSION, BLOB_DIR, DB_FILE, schemaVersionOf } from './schema';
import { TarWriter } from './tar';

export const MANIFEST_FILE = 'manifest.json';
const Hash = z.string().regex(/^[0-9a-f]{64}$/);
const Size = z.number().int().nonnegative();

export const Manifest = z.object({
  format: z.literal('caf-plan-backup'),
  formatVersion: z.literal(1),
  appVersion: z.string(),
  /** The schema of the database in the backup (the number of migrations applied). */
  schemaVersion: z.number().int().nonnegative(),
  createdAt: z.string(),
  /** Null when the database lives in PostgreSQL: it is backed up with pg_dump, this file holds the blobs only. */
  database: z.object({ path: z.literal(DB_FILE), size: Size, sha256: Hash }).nullable(),
  /** Rows per table in the snapshot. */
  counts: z.record(z.string(), Size),
  blobs: z.array(z.object({ sha256: Hash, size: Size })),
});
export type Manifest = z.infer<typeof Manifest>;

export const blobEntry = (hash: string): string => `${BLOB_DIR}/${hash.slice(0, 2)}/${hash}`;

export interface BackupResult {
  file: string;
  bytes: number;
  manifest: Manifest;
}

export interface BackupOptions {
  dataDir: string;
  out: string;
  /** The service's own connection, when it takes the backup itself (scheduled, before an upgrade). */
  db?: Database.Database;
  /** Set when the database is PostgreSQL (`CAF_DATABASE_URL`): the blobs are backed up, the database is not. */
  externalDatabase?: boolean;
  now?: Date;
}

/**
 * The columns that name a blob: `blob` or `*_blob`, in any table. Migrations that add a table keeping files follow
 * that naming, and the backup and `verify` take their blobs without a change here.
 */
export function referencedBlobs(db: Database.Database): Map<string, string[]> {
  const refs = new Map<string, string[]>();
  for (const { name: table } of userTables(db)) {
    const columns = (db.prepare(`PRAGMA table_info(${quoteId(table)})`).all() as { name: string }[])
      .map((c) => c.name)
      .filter((c) => c === 'blob' || c.endsWith('_blob'));
    for (const column of columns) {
      const rows = db
        .prepare(`SELECT DISTINCT ${quoteId(column)} AS h FROM ${quoteId(table)} WHERE ${quoteId(column)} IS NOT NULL`)
        .all() as { h: unknown }[];
      for (const { h } of rows) {
        const hash = String(h);
        const list = refs.get(hash) ?? [];
        list.push(`${table}.${column}`);
        refs.set(hash, list);
      }
    }
  }
  return refs;
}

export function userTables(db: Database.Database): { name: string }[] {
  return db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
}

export function tableCounts(db: Database.Database): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { name } of userTables(db)) {
    counts[name] = Number((db.prepare(`SELECT COUNT(*) AS n FROM ${quoteId(name)}`).get() as { n: number }).n);
  }
  return counts;
}

const quoteId = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Every blob file in the folder, by hash (never the `tmp/` of writes under way). */
function allBlobs(dataDir: string): string[] {
  const root = path.join(dataDir, BLOB_DIR);
  if (!existsSync(root)) return [];
  const hashes: string[] = [];
  for (const dir of readdirSync(root)) {
    if (!/^[0-9a-f]{2}$/.test(dir)) continue;
    for (const file of readdirSync(path.join(root, dir))) if (file.startsWith(dir)) hashes.push(file);
  }
  return hashes.filter((h) => Hash.safeParse(h).success);
}

function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Windows cannot fsync a folder; the rename is atomic there all the same.
  }
}

export function backupError(code: string, ro: string, en: string): CafError {
  return new CafError(code, { ro, en });
}

/** The backup as a sequence of steps; the async driver lets the service answer requests between them. */
function* backupSteps(options: BackupOptions): Generator<void, BackupResult> {
  const { dataDir, out } = options;
  const dbFile = path.join(dataDir, DB_FILE);
  if (!options.externalDatabase && !existsSync(dbFile)) {
    throw backupError(
      'backup-no-data',
      `În ${dataDir} nu există baza de date ${DB_FILE}: verificați --data-dir.`,
      `There is no database ${DB_FILE} in ${dataDir}: check --data-dir.`,
    );
  }
  if (existsSync(out)) {
    throw backupError(
      'backup-exists',
      `Fișierul ${out} există deja; alegeți alt nume (o copie de siguranță nu se scrie peste alta).`,
      `The file ${out} exists already; choose another name (a backup is never written over another).`,
    );
  }
  mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const snapshot = path.join(path.dirname(path.resolve(out)), `.caf-plan-snapshot-${tag}.sqlite`);
  const partial = `${out}.partial-${tag}`;
  let fd: number | undefined;
  try {
    let database: Manifest['database'] = null;
    let schemaVersion = 0;
    let counts: Record<string, number> = {};
    let hashes: string[];
    if (options.externalDatabase) {
      hashes = allBlobs(dataDir);
    } else {
      const source = options.db ?? new Database(dbFile, { readonly: true, fileMustExist: true });
      try {
        if (!options.db) source.pragma('busy_timeout = 10000');
        source.prepare('VACUUM INTO ?').run(snapshot);
      } finally {
        if (!options.db) source.close();
      }
      yield;
      const snap = new Database(snapshot, { readonly: true, fileMustExist: true });
      try {
        schemaVersion = schemaVersionOf(snap);
        counts = tableCounts(snap);
        // Every file the snapshot refers to, and the others stored beside them (the original of an imported
        // workbook is named only in the audit log): listed after the snapshot, so none it refers to is missed.
        hashes = [...new Set([...referencedBlobs(snap).keys(), ...allBlobs(dataDir)])];
      } finally {
        snap.close();
      }
      database = { path: DB_FILE, size: statSync(snapshot).size, sha256: sha256File(snapshot) };
    }
    hashes.sort();
    const blobs = hashes.map((sha256) => {
      const file = path.join(dataDir, blobEntry(sha256));
      if (!existsSync(file)) {
        throw backupError(
          'backup-blob-missing',
          `Fișierul stocat ${sha256} lipsește din ${dataDir}; rulați „caf-plan verify --data-dir ${dataDir}”.`,
          `The stored file ${sha256} is missing from ${dataDir}; run "caf-plan verify --data-dir ${dataDir}".`,
        );
      }
      return { sha256, size: statSync(file).size };
    });
    const manifest: Manifest = {
      format: 'caf-plan-backup',
      formatVersion: 1,
      appVersion: APP_VERSION,
      schemaVersion,
      createdAt: (options.now ?? new Date()).toISOString(),
      database,
      counts: { ...counts, blobs: blobs.length },
      blobs,
    };

    fd = openSync(partial, 'wx', 0o600);
    const tar = new TarWriter(fd);
    tar.addBytes(MANIFEST_FILE, Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
    if (database) {
      const written = tar.addFile(DB_FILE, snapshot);
      if (written.sha256 !== database.sha256) throw new Error('the snapshot changed while it was archived');
    }
    let sinceYield = 0;
    for (const blob of blobs) {
      const written = tar.addFile(blobEntry(blob.sha256), path.join(dataDir, blobEntry(blob.sha256)));
      if (written.sha256 !== blob.sha256) {
        throw backupError(
          'backup-blob-corrupt',
          `Fișierul stocat ${blob.sha256} nu mai are conținutul după care e numit (disc deteriorat?); rulați „caf-plan verify”.`,
          `The stored file ${blob.sha256} no longer holds the content it is named by (a failing disk?); run "caf-plan verify".`,
        );
      }
      sinceYield += written.size;
      if (sinceYield > 4 << 20) {
        sinceYield = 0;
        yield;
      }
    }
    tar.finish();
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(partial, out);
    fsyncDir(path.dirname(path.resolve(out)));
    return { file: out, bytes: statSync(out).size, manifest };
  } finally {
    if (fd !== undefined) closeSync(fd);
    rmSync(snapshot, { force: true });
    rmSync(partial, { force: true });
  }
}

/** Takes a backup, yielding to the event loop between files (for the running service and the CLI). */
export async function createBackup(options: BackupOptions): Promise<BackupResult> {
  const steps = backupSteps(options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The same, in one go: for the store, before it migrates an existing database at start. */
export function createBackupSync(options: BackupOptions): BackupResult {
  const steps = backupSteps(options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}
