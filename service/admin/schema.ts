// Which schema a data folder holds, read without changing it, and the one this code writes. A folder written by a
// newer version is refused before anything opens it for writing: its tables may mean things this code does not know.
import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CafError } from '../../plan/errors';
import { MIGRATIONS } from '../store/migrations';

export const DB_FILE = 'caf-plan.sqlite';
export const BLOB_DIR = 'blobs';

/** The schema version this code writes: the number of migrations it knows. */
export const CODE_SCHEMA_VERSION = MIGRATIONS.length;

const packageFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../package.json');

/** The product's version (package.json), for manifests, /api/health and /metrics. */
export const APP_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(packageFile, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
})();

/** The highest migration applied to an open database (0 for a database without the table). */
export function schemaVersionOf(db: Database.Database): number {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get() as unknown;
  if (!table) return 0;
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return Number(row.v ?? 0);
}

/** The schema version of a data folder's database, opened read-only; undefined when there is no database yet. */
export function readSchemaVersion(dataDir: string): number | undefined {
  const file = path.join(dataDir, DB_FILE);
  if (!existsSync(file)) return undefined;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return schemaVersionOf(db);
  } finally {
    db.close();
  }
}

export function tooNewError(where: { ro: string; en: string }, version: number): CafError {
  return new CafError('data-too-new', {
    ro: `${where.ro} a fost scris de o versiune mai nouă a caf-plan (schema ${version}; această versiune, ${APP_VERSION}, cunoaște schema ${CODE_SCHEMA_VERSION}). Nu a fost deschis și nu a fost modificat nimic: porniți versiunea mai nouă sau restaurați o copie de siguranță făcută înainte de actualizare.`,
    en: `${where.en} was written by a newer version of caf-plan (schema ${version}; this version, ${APP_VERSION}, knows schema ${CODE_SCHEMA_VERSION}). It was not opened and nothing was changed: run the newer version, or restore a backup taken before the upgrade.`,
  });
}

/** Throws `data-too-new` when the folder's database is ahead of this code. */
export function assertNotNewer(dataDir: string): void {
  const version = readSchemaVersion(dataDir);
  if (version !== undefined && version > CODE_SCHEMA_VERSION) {
    throw tooNewError({ ro: `Dosarul de date ${dataDir}`, en: `The data folder ${dataDir}` }, version);
  }
}
