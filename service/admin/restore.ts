// `caf-plan restore FILE --data-dir DIR`: a backup back into an empty folder. Every entry is checked against the
// manifest (name, size, sha256) as it is written; the archive must end with its end marker. Anything wrong and the
// folder is left as it was found (empty), with a message saying what was wrong: a restore is all or nothing.
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { CafError } from '../../plan/errors';
import { blobEntry, Manifest, MANIFEST_FILE } from './backup';
import { BLOB_DIR, CODE_SCHEMA_VERSION, DB_FILE, tooNewError } from './schema';
import { readTar, TarFormatError } from './tar';

export interface RestoreResult {
  dataDir: string;
  manifest: Manifest;
  files: number;
}

const MAX_MANIFEST = 64 << 20;

function refuse(code: string, ro: string, en: string): CafError {
  return new CafError(code, { ro, en });
}

export function restoreBackup(options: { file: string; dataDir: string }): RestoreResult {
  const { file } = options;
  const dataDir = path.resolve(options.dataDir);
  if (!existsSync(file)) {
    throw refuse('file-unreadable', `Fișierul ${file} nu există.`, `The file ${file} does not exist.`);
  }
  const created = !existsSync(dataDir);
  if (!created && readdirSync(dataDir).length > 0) {
    throw refuse(
      'restore-not-empty',
      `Dosarul ${dataDir} nu este gol: restaurarea se face doar într-un dosar gol, ca să nu amestece două instalări. Alegeți un dosar nou (sau mutați deoparte conținutul acestuia).`,
      `The folder ${dataDir} is not empty: a restore goes into an empty folder only, so two installations never mix. Choose a new folder (or move this one's content aside).`,
    );
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o750 });
  const staging = path.join(dataDir, `.restore-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(staging);
  try {
    let manifest: Manifest | undefined;
    const expected = new Map<string, { size: number; sha256: string }>();
    const seen = new Set<string>();
    const corrupt = (name: string): CafError =>
      refuse(
        'backup-corrupt',
        `Copia de siguranță ${file} este deteriorată: „${name}” nu are conținutul din manifest. Nu s-a restaurat nimic.`,
        `The backup ${file} is damaged: "${name}" does not hold the content its manifest lists. Nothing was restored.`,
      );
    try {
      readTar(file, (entry) => {
        if (!manifest) {
          if (entry.name !== MANIFEST_FILE || entry.size > MAX_MANIFEST) throw notABackup(file);
          const chunks: Buffer[] = [];
          return {
            write: (chunk) => chunks.push(Buffer.from(chunk)),
            end: () => {
              let parsed: unknown;
              try {
                parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
              } catch {
                throw notABackup(file);
              }
              const result = Manifest.safeParse(parsed);
              if (!result.success) throw notABackup(file);
              manifest = result.data;
              if (manifest.schemaVersion > CODE_SCHEMA_VERSION) {
                throw tooNewError(
                  { ro: `Copia de siguranță ${file}`, en: `The backup ${file}` },
                  manifest.schemaVersion,
                );
              }
              if (manifest.database) expected.set(DB_FILE, manifest.database);
              for (const b of manifest.blobs) expected.set(blobEntry(b.sha256), b);
            },
          };
        }
        const want = expected.get(entry.name);
        if (!want || seen.has(entry.name) || want.size !== entry.size) throw corrupt(entry.name);
        seen.add(entry.name);
        const target = path.join(staging, entry.name);
        mkdirSync(path.dirname(target), { recursive: true });
        const fd = openSync(target, 'wx', 0o640);
        const hash = createHash('sha256');
        return {
          write: (chunk) => {
            hash.update(chunk);
            let offset = 0;
            while (offset < chunk.length) offset += writeSync(fd, chunk, offset, chunk.length - offset);
          },
          end: () => {
            fsyncSync(fd);
            closeSync(fd);
            if (hash.digest('hex') !== want.sha256) throw corrupt(entry.name);
          },
        };
      });
    } catch (error) {
      if (error instanceof TarFormatError) {
        if (!manifest) throw notABackup(file);
        throw error.kind === 'truncated'
          ? refuse(
              'backup-truncated',
              `Copia de siguranță ${file} este incompletă (trunchiată: ${error.message}). Nu s-a restaurat nimic.`,
              `The backup ${file} is incomplete (truncated: ${error.message}). Nothing was restored.`,
            )
          : corrupt(error.message);
      }
      throw error;
    }
    if (!manifest) throw notABackup(file);
    const missing = [...expected.keys()].filter((name) => !seen.has(name));
    if (missing.length > 0) {
      throw refuse(
        'backup-truncated',
        `Copiei de siguranță ${file} îi lipsesc ${missing.length} fișiere din manifest (de ex. ${missing[0]}). Nu s-a restaurat nimic.`,
        `The backup ${file} lacks ${missing.length} files its manifest lists (e.g. ${missing[0]}). Nothing was restored.`,
      );
    }
    // Everything checked: move it into place (same file system, so renames).
    if (manifest.database) renameSync(path.join(staging, DB_FILE), path.join(dataDir, DB_FILE));
    if (existsSync(path.join(staging, BLOB_DIR)))
      renameSync(path.join(staging, BLOB_DIR), path.join(dataDir, BLOB_DIR));
    else mkdirSync(path.join(dataDir, BLOB_DIR));
    rmSync(staging, { recursive: true, force: true });
    return { dataDir, manifest, files: seen.size };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    // Leave the folder as found: empty, or absent when it did not exist.
    for (const name of readdirSync(dataDir)) rmSync(path.join(dataDir, name), { recursive: true, force: true });
    if (created) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

function notABackup(file: string): CafError {
  return refuse(
    'backup-not-caf',
    `${file} nu este o copie de siguranță caf-plan (lipsește sau este deteriorat manifest.json de la început).`,
    `${file} is not a caf-plan backup (its leading manifest.json is missing or damaged).`,
  );
}
