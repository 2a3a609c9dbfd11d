// What `caf-plan serve` runs beside the API: pages mounted on the app and background sources started with the
// service and stopped with it. Each plugin reads its own settings (environment variables, parsed with zod).
import type { Router } from 'express';
import type { Logger } from 'pino';
import type { Config } from './config';
import { coordinatorPage } from './http/page/index';
import type { MergeRunner } from './jobs/merge';
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

export function defaultPlugins(): ServicePlugin[] {
  return [{ name: 'coordinator-page', routers: ({ store }) => [{ path: '/', router: coordinatorPage({ store }) }] }];
}
