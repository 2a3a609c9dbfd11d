// `caf-plan verify --data-dir DIR`: is this data folder whole? The database's own checks (integrity_check,
// foreign_key_check), its schema against this code's, and every stored file against the sha256 it is named by, with
// the records that refer to a missing or damaged one. Read-only: safe while the service runs.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Bilingual } from '../../plan/model';
import { countWith } from '../../plan/text';
import { blobEntry, referencedBlobs, tableCounts } from './backup';
import { BLOB_DIR, CODE_SCHEMA_VERSION, DB_FILE, schemaVersionOf } from './schema';

export interface Finding extends Bilingual {
  code: string;
}

export interface VerifyReport {
  dataDir: string;
  ok: boolean;
  schemaVersion: number | null;
  codeSchemaVersion: number;
  counts: Record<string, number>;
  blobs: { referenced: number; stored: number; unreferenced: number };
  /** What is wrong: each one makes `ok` false. */
  problems: Finding[];
  /** Worth knowing, not wrong (pending migrations, files nothing refers to). */
  notes: Finding[];
}

const HASH_RE = /^[0-9a-f]{64}$/;

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** The blob files in the folder (the `tmp/` of unfinished writes is not one of them). */
function storedBlobs(dataDir: string): string[] {
  const root = path.join(dataDir, BLOB_DIR);
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const dir of readdirSync(root)) {
    if (!/^[0-9a-f]{2}$/.test(dir)) continue;
    for (const name of readdirSync(path.join(root, dir))) out.push(name);
  }
  return out;
}

export function verifyDataDir(dataDirArg: string): VerifyReport {
  const dataDir = path.resolve(dataDirArg);
  const problems: Finding[] = [];
  const notes: Finding[] = [];
  const report: VerifyReport = {
    dataDir,
    ok: false,
    schemaVersion: null,
    codeSchemaVersion: CODE_SCHEMA_VERSION,
    counts: {},
    blobs: { referenced: 0, stored: 0, unreferenced: 0 },
    problems,
    notes,
  };
  const dbFile = path.join(dataDir, DB_FILE);
  if (!existsSync(dbFile)) {
    problems.push({
      code: 'no-database',
      ro: `În ${dataDir} nu există baza de date ${DB_FILE}.`,
      en: `There is no database ${DB_FILE} in ${dataDir}.`,
    });
    return report;
  }
  let refs = new Map<string, string[]>();
  let db: Database.Database | undefined;
  try {
    db = new Database(dbFile, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 10000');
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    if (!(integrity.length === 1 && integrity[0] === 'ok')) {
      for (const line of integrity.slice(0, 20)) {
        problems.push({
          code: 'db-integrity',
          ro: `Baza de date este deteriorată: ${line}`,
          en: `The database is damaged: ${line}`,
        });
      }
    }
    const fk = db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[];
    for (const r of fk.slice(0, 50)) {
      problems.push({
        code: 'db-foreign-key',
        ro: `Rândul ${r.rowid} din ${r.table} trimite la un rând care nu există în ${r.parent}.`,
        en: `Row ${r.rowid} of ${r.table} refers to a row that does not exist in ${r.parent}.`,
      });
    }
    report.schemaVersion = schemaVersionOf(db);
    report.counts = tableCounts(db);
    refs = referencedBlobs(db);
  } catch (error) {
    problems.push({
      code: 'db-unreadable',
      ro: `Baza de date nu poate fi citită: ${(error as Error).message}`,
      en: `The database cannot be read: ${(error as Error).message}`,
    });
  }

  if (report.schemaVersion !== null && report.schemaVersion > CODE_SCHEMA_VERSION) {
    problems.push({
      code: 'data-too-new',
      ro: `Datele au schema ${report.schemaVersion}, mai nouă decât a acestei versiuni (${CODE_SCHEMA_VERSION}): folosiți versiunea mai nouă a caf-plan.`,
      en: `The data has schema ${report.schemaVersion}, newer than this version's (${CODE_SCHEMA_VERSION}): use the newer caf-plan.`,
    });
  } else if (report.schemaVersion !== null && report.schemaVersion < CODE_SCHEMA_VERSION) {
    notes.push({
      code: 'migrations-pending',
      ro: `Schema ${report.schemaVersion}: la următoarea pornire se aplică ${CODE_SCHEMA_VERSION - report.schemaVersion} migrări (după o copie de siguranță automată).`,
      en: `Schema ${report.schemaVersion}: the next start applies ${CODE_SCHEMA_VERSION - report.schemaVersion} migrations (after an automatic backup).`,
    });
  }

  // Which records a bad blob breaks, named so the administrator knows what is lost ("submissions #12").
  const users = (hash: string): string =>
    (refs.get(hash) ?? [])
      .flatMap((where) => {
        const [table, column] = where.split('.') as [string, string];
        const rows = db!.prepare(`SELECT rowid AS id FROM "${table}" WHERE "${column}" = ? LIMIT 5`).all(hash) as {
          id: number;
        }[];
        return rows.map((r) => `${table} #${r.id}`);
      })
      .join(', ');

  const stored = new Set(storedBlobs(dataDir));
  report.blobs = { referenced: refs.size, stored: stored.size, unreferenced: 0 };
  try {
    for (const hash of [...refs.keys()].sort()) {
      if (!HASH_RE.test(hash)) {
        problems.push({
          code: 'blob-bad-reference',
          ro: `${users(hash)} trimite la „${hash}”, care nu este un nume de fișier stocat.`,
          en: `${users(hash)} refers to "${hash}", which is not a stored file's name.`,
        });
        continue;
      }
      if (!stored.has(hash)) {
        problems.push({
          code: 'blob-missing',
          ro: `Lipsește fișierul stocat ${blobEntry(hash)} (folosit de ${users(hash)}).`,
          en: `The stored file ${blobEntry(hash)} is missing (used by ${users(hash)}).`,
        });
        continue;
      }
      if (sha256(path.join(dataDir, blobEntry(hash))) !== hash) {
        problems.push({
          code: 'blob-corrupt',
          ro: `Fișierul stocat ${blobEntry(hash)} este deteriorat: conținutul nu mai are sha256-ul după care e numit (folosit de ${users(hash)}).`,
          en: `The stored file ${blobEntry(hash)} is damaged: its content no longer has the sha256 it is named by (used by ${users(hash)}).`,
        });
      }
    }
    const unreferenced = [...stored].filter((h) => !refs.has(h)).sort();
    report.blobs.unreferenced = unreferenced.length;
    for (const name of unreferenced) {
      const file = path.join(dataDir, BLOB_DIR, name.slice(0, 2), name);
      if (!HASH_RE.test(name) || sha256(file) !== name) {
        problems.push({
          code: 'blob-corrupt',
          ro: `Fișierul stocat ${path.relative(dataDir, file)} este deteriorat (nefolosit de nicio înregistrare).`,
          en: `The stored file ${path.relative(dataDir, file)} is damaged (no record uses it).`,
        });
      }
    }
    if (unreferenced.length > 0) {
      notes.push({
        code: 'blob-unreferenced',
        ro: `${countWith(unreferenced.length, 'fișier stocat nu este folosit', 'fișiere stocate nu sunt folosite', 'ro')} de nicio înregistrare (rămase de la importuri, îmbinări întrerupte sau verificări de sănătate); copiile de siguranță le cuprind și pe ele.`,
        en: `${countWith(unreferenced.length, 'stored file is', 'stored files are', 'en')} used by no record (left by imports, interrupted merges or health checks); backups include them too.`,
      });
    }
  } finally {
    db?.close();
  }
  report.ok = problems.length === 0;
  return report;
}
