// Opening a data folder an older version wrote: before the first pending migration runs, the whole folder is backed
// up (the same tar as `caf-plan backup`) into `<data folder>/backups/`, so an upgrade that goes wrong is undone by a
// restore. No backup, no migration: a failed backup stops the start with the reason.
import type Database from 'better-sqlite3';
import path from 'node:path';
import { CafError, isCafError } from '../../plan/errors';
import { createBackupSync } from './backup';
import { CODE_SCHEMA_VERSION } from './schema';

export const UPGRADE_BACKUP_DIR = 'backups';

export function backupBeforeUpgrade(db: Database.Database, dataDir: string, from: number, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const out = path.join(dataDir, UPGRADE_BACKUP_DIR, `pre-upgrade-schema${from}-to${CODE_SCHEMA_VERSION}-${stamp}.tar`);
  try {
    createBackupSync({ dataDir, out, db, now });
  } catch (error) {
    const detail = isCafError(error) ? error.messages : { ro: String(error), en: String(error) };
    throw new CafError('upgrade-backup-failed', {
      ro: `Actualizarea datelor (schema ${from} → ${CODE_SCHEMA_VERSION}) nu a început: copia de siguranță de dinainte nu a putut fi scrisă în ${out}. ${detail.ro}`,
      en: `The data upgrade (schema ${from} → ${CODE_SCHEMA_VERSION}) did not start: the backup taken first could not be written to ${out}. ${detail.en}`,
    });
  }
  return out;
}
