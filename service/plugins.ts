// What `caf-plan serve` runs beside the API: pages mounted on the app and background sources started with the
// service and stopped with it. Each plugin reads its own settings (environment variables, parsed with zod).
import type { Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CafError } from '../plan/errors';
import type { Config } from './config';
import { coordinatorPage } from './http/page/index';
import { backupPlugin } from './admin/scheduled-backup';
import type { MergeRunner } from './jobs/merge';
import { DriveSource, serviceAccountAuth } from './sources/drive';
import { FolderSource } from './sources/folder';
import { remindersPlugin } from './reminders/plugin';
import type { Store } from './store/store';

export interface ServiceContext {
  store: Store;
  config: Config;
  merges: MergeRunner;
  logger: Logger;
  env: NodeJS.ProcessEnv;
}

export interface ServicePlugin {
  name: string;
  /** Routers mounted after /api, before the add-in's static files. */
  routers?(ctx: ServiceContext): { path: string; router: Router }[];
  /** Started once the service listens; returns how to stop it (awaited on shutdown). */
  start?(ctx: ServiceContext): Promise<(() => Promise<void>) | void>;
}

const Millis = z.coerce.number().int().positive();

/** `CAF_DROP_FOLDER`: copies dropped there are taken in, then moved to `archive/` (or `refused/` with the reason). */
const FolderEnv = z.object({
  CAF_DROP_FOLDER: z.string().min(1).optional(),
  CAF_DROP_INTERVAL_MS: Millis.optional(),
  /** How long a file must hold still before it is taken (a copy still being written over a network share waits). */
  CAF_DROP_STABLE_MS: Millis.optional(),
});

/** `CAF_DRIVE_FOLDER_ID` + `CAF_DRIVE_KEY_FILE` (a service account's JSON key): the Google Drive source. */
const DriveEnv = z.object({
  CAF_DRIVE_FOLDER_ID: z.string().min(1).optional(),
  CAF_DRIVE_OUTPUT_FOLDER_ID: z.string().min(1).optional(),
  CAF_DRIVE_ID: z.string().min(1).optional(),
  CAF_DRIVE_KEY_FILE: z.string().min(1).optional(),
  CAF_DRIVE_INTERVAL_MS: Millis.optional(),
});

function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.output<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  throw new CafError('config-invalid', {
    ro: `Configurare greșită în variabilele de mediu: ${detail}`,
    en: `Invalid configuration in the environment: ${detail}`,
  });
}

export const folderPlugin: ServicePlugin = {
  name: 'drop-folder',
  async start({ store, config, logger, env }) {
    const settings = parseEnv(FolderEnv, env);
    if (!settings.CAF_DROP_FOLDER) return;
    const source = new FolderSource(
      store,
      {
        inbox: settings.CAF_DROP_FOLDER,
        maxBytes: config.maxUploadBytes,
        ...(settings.CAF_DROP_INTERVAL_MS ? { intervalMs: settings.CAF_DROP_INTERVAL_MS } : {}),
        ...(settings.CAF_DROP_STABLE_MS ? { stableMs: settings.CAF_DROP_STABLE_MS } : {}),
      },
      { logger },
    );
    source.start();
    logger.info({ inbox: source.options.inbox }, 'drop folder source started');
    return () => source.stop();
  },
};

export const drivePlugin: ServicePlugin = {
  name: 'google-drive',
  async start({ store, config, logger, env }) {
    const settings = parseEnv(DriveEnv, env);
    if (!settings.CAF_DRIVE_FOLDER_ID) return;
    if (!settings.CAF_DRIVE_KEY_FILE) {
      throw new CafError('config-invalid', {
        ro: 'CAF_DRIVE_FOLDER_ID cere și CAF_DRIVE_KEY_FILE (cheia JSON a contului de serviciu Google).',
        en: 'CAF_DRIVE_FOLDER_ID also needs CAF_DRIVE_KEY_FILE (the Google service account JSON key).',
      });
    }
    const source = new DriveSource(
      store,
      {
        folderId: settings.CAF_DRIVE_FOLDER_ID,
        maxBytes: config.maxUploadBytes,
        ...(settings.CAF_DRIVE_OUTPUT_FOLDER_ID ? { outputFolderId: settings.CAF_DRIVE_OUTPUT_FOLDER_ID } : {}),
        ...(settings.CAF_DRIVE_ID ? { driveId: settings.CAF_DRIVE_ID } : {}),
        ...(settings.CAF_DRIVE_INTERVAL_MS ? { intervalMs: settings.CAF_DRIVE_INTERVAL_MS } : {}),
      },
      serviceAccountAuth(settings.CAF_DRIVE_KEY_FILE),
      { logger },
    );
    source.start();
    logger.info({ folder: settings.CAF_DRIVE_FOLDER_ID }, 'google drive source started');
    return () => source.stop();
  },
};

export function defaultPlugins(): ServicePlugin[] {
  return [
    {
      name: 'coordinator-page',
      routers: ({ store, config }) => [{ path: '/', router: coordinatorPage({ store, config }) }],
    },
    folderPlugin,
    drivePlugin,
    remindersPlugin,
    backupPlugin,
  ];
}
