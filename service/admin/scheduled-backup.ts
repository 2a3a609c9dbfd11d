// The scheduled backup, for those who want one: `BACKUP_CRON` (when; in MERGE_TZ), `BACKUP_DIR` (where; default
// `<data folder>/backups`, better another disk or a network share), `BACKUP_KEEP` (how many to keep, default 7).
// Each run writes `caf-plan-backup-<time>.tar` like `caf-plan backup`, then removes the oldest beyond the count;
// backups taken before upgrades (`pre-upgrade-*`) and files of other names are never touched.
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CafError } from '../../plan/errors';
import { scheduleTask } from '../jobs/schedule';
import type { ServicePlugin } from '../plugins';
import type { Store } from '../store/store';
import { createBackup, type BackupResult } from './backup';
import { UPGRADE_BACKUP_DIR } from './upgrade';
import { Cron } from 'croner';

const PREFIX = 'caf-plan-backup-';

export const BackupEnv = z.object({
  BACKUP_CRON: z
    .string()
    .min(1)
    .refine(
      (expr) => {
        try {
          new Cron(expr, { paused: true }).stop();
          return true;
        } catch {
          return false;
        }
      },
      { message: 'not a valid cron expression' },
    )
    .optional(),
  BACKUP_DIR: z.string().min(1).optional(),
  BACKUP_KEEP: z.coerce.number().int().min(1).max(10_000).default(7),
});

/** One scheduled backup and the rotation after it. */
export async function scheduledBackup(
  store: Store,
  options: { dir: string; keep: number; now?: Date },
): Promise<{ result: BackupResult; removed: string[] }> {
  const now = options.now ?? new Date();
  const out = path.join(options.dir, `${PREFIX}${now.toISOString().replace(/[:.]/g, '-')}.tar`);
  const result = await createBackup({ dataDir: store.dataDir, out, db: store.db, now });
  // Names carry the time in ISO order: the last `keep` by name are the newest.
  const ours = readdirSync(options.dir)
    .filter((f) => f.startsWith(PREFIX) && f.endsWith('.tar'))
    .sort();
  const removed = ours.slice(0, Math.max(0, ours.length - options.keep));
  for (const f of removed) rmSync(path.join(options.dir, f), { force: true });
  return { result, removed };
}

export const backupPlugin: ServicePlugin = {
  name: 'scheduled-backup',
  async start({ store, config, logger, env }) {
    const parsed = BackupEnv.safeParse(env);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new CafError('config-invalid', {
        ro: `Configurare greșită în variabilele de mediu: ${detail}`,
        en: `Invalid configuration in the environment: ${detail}`,
      });
    }
    const settings = parsed.data;
    if (!settings.BACKUP_CRON) return;
    const dir = path.resolve(settings.BACKUP_DIR ?? path.join(config.dataDir, UPGRADE_BACKUP_DIR));
    const job = scheduleTask(
      'scheduled-backup',
      { cron: settings.BACKUP_CRON, timezone: config.timezone, logger },
      async () => {
        try {
          const { result, removed } = await scheduledBackup(store, { dir, keep: settings.BACKUP_KEEP });
          store.audit('system:backup', 'backup.done', path.basename(result.file), {
            bytes: result.bytes,
            blobs: result.manifest.blobs.length,
            removed,
          });
          logger.info({ file: result.file, bytes: result.bytes, removed }, 'scheduled backup written');
        } catch (error) {
          store.audit('system:backup', 'backup.failed', null, { error: String(error) });
          throw error;
        }
      },
    );
    logger.info(
      { dir, cron: settings.BACKUP_CRON, keep: settings.BACKUP_KEEP, next: job.nextRun() },
      'scheduled backup on',
    );
    return async () => job.stop();
  },
};
