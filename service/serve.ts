// `caf-plan serve` and `caf-plan token`: the service's process. Human messages (the address, a new token) go to
// stdout; the JSON logs to stderr.
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino, type Logger } from 'pino';
import { CafError } from '../plan/errors';
import { loadConfig, type Config } from './config';
import { createApp } from './http/app';
import { MergeRunner } from './jobs/merge';
import { scheduleMerges } from './jobs/schedule';
import { importWorkbook } from './sources/import';
import { UnitCode } from '../plan/api';
import { countWith } from '../plan/text';
import { defaultPlugins, type ServiceContext, type ServicePlugin } from './plugins';
import { openStore, type Store } from './store/store';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function say(line: string): void {
  process.stdout.write(line + '\n');
}

function printToken(token: string, who: { ro: string; en: string }): void {
  say(`Token de acces pentru ${who.ro} (afișat o singură dată; păstrați-l în siguranță):`);
  say(`Access token for ${who.en} (shown once; keep it safe):`);
  say(`  ${token}`);
}

function findSample(file: string): string | undefined {
  if (file === '') return undefined;
  const candidates = path.isAbsolute(file) ? [file] : [path.resolve(file), path.join(repoRoot, file)];
  return candidates.find((f) => existsSync(f));
}

/** First start: the sample plan, so the service shows something, and a coordinator token to reach it. */
async function firstStart(store: Store, config: Config, logger: Logger): Promise<void> {
  if (store.listPlans().length === 0) {
    const sample = findSample(config.samplePlan);
    if (sample) {
      const imported = await importWorkbook(store, {
        bytes: new Uint8Array(readFileSync(sample)),
        name: path.basename(sample),
        actor: 'system:first-start',
      });
      logger.info({ plan: imported.plan.id, actions: imported.actions }, 'sample plan imported');
      say(
        `Planul exemplu a fost importat / the sample plan was imported: ${imported.plan.id} (${countWith(imported.actions, 'acțiune', 'acțiuni', 'ro')} / ${countWith(imported.actions, 'action', 'actions', 'en')})`,
      );
    }
  }
  if (store.countTokens('coordinator') === 0) {
    const { token, record } = store.createToken({ role: 'coordinator', label: 'first start' });
    store.audit('system:first-start', 'token.created', record.id, { role: 'coordinator' });
    printToken(token, { ro: 'coordonator', en: 'the coordinator' });
  }
}

/** A time as people in the service's time zone read it (`4 decembrie 2026, 02:00`), not UTC. */
function bucharestTime(at: Date | null | undefined, timeZone: string): string {
  if (!at) return '-';
  return new Intl.DateTimeFormat('ro-RO', { dateStyle: 'long', timeStyle: 'short', timeZone }).format(at);
}

export async function runServe(argv: string[], plugins: ServicePlugin[] = defaultPlugins()): Promise<number> {
  const config = loadConfig(argv);
  const logger = pino({ level: config.logLevel }, pino.destination(2));
  const store = openStore(config.dataDir);
  if (store.upgradeBackup) {
    say(
      `caf-plan: datele au fost actualizate; copia de dinainte / the data was upgraded; the backup taken first: ${store.upgradeBackup}`,
    );
  }
  const merges = new MergeRunner(store, { pauseBeforeCommitMs: config.testPauseMergeMs, logger });
  let server: http.Server | undefined;
  let cron: ReturnType<typeof scheduleMerges> | undefined;
  const ctx: ServiceContext = { store, config, merges, logger, env: process.env };
  const stops: { name: string; stop: () => Promise<void> }[] = [];
  try {
    const redone = await merges.recover();
    for (const m of redone)
      say(`Îmbinarea întreruptă a fost refăcută / the interrupted merge was redone: #${m.id} (${m.status})`);
    await firstStart(store, config, logger);

    const routers = plugins.flatMap((p) => p.routers?.(ctx) ?? []);
    const app = createApp({ store, config, merges, logger, routers });
    server = config.tlsCert
      ? https.createServer({ cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey!) }, app)
      : http.createServer(app);
    // Slow clients may not hold connections open forever.
    server.headersTimeout = 20_000;
    server.requestTimeout = 120_000;
    server.keepAliveTimeout = 5_000;
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(config.port, config.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const url = `${config.tlsCert ? 'https' : 'http'}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    cron = scheduleMerges(store, merges, { cron: config.mergeCron, timezone: config.timezone, logger });
    say(`caf-plan: serviciul ascultă la / the service listens at ${url}`);
    say(
      `caf-plan: următoarea îmbinare / next merge: ${bucharestTime(cron.nextRun(), config.timezone)} (${config.mergeCron}, ${config.timezone})`,
    );
    logger.info({ url, dataDir: config.dataDir }, 'listening');
    for (const plugin of plugins) {
      const stop = await plugin.start?.(ctx);
      if (stop) stops.push({ name: plugin.name, stop });
    }

    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    logger.info({ signal }, 'stopping');
    return 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new CafError('port-in-use', {
        ro: `Portul ${config.port} de pe ${config.host} este deja folosit; alegeți altul cu --port.`,
        en: `Port ${config.port} on ${config.host} is in use already; choose another with --port.`,
      });
    }
    throw error;
  } finally {
    cron?.stop();
    for (const { name, stop } of stops.reverse()) {
      await stop().catch((error: unknown) => logger.error({ err: error, plugin: name }, 'plugin did not stop cleanly'));
    }
    if (server) {
      const closing = server;
      await new Promise<void>((resolve) => closing.close(() => resolve()));
      closing.closeAllConnections?.();
    }
    // A merge still running is left `running` and redone at the next start: nothing of it is committed yet.
    store.close();
  }
}

export async function runToken(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      unit: { type: 'string' },
      coordinator: { type: 'boolean' },
      label: { type: 'string' },
      data: { type: 'string' },
      'data-dir': { type: 'string' },
      lang: { type: 'string' },
    },
  });
  const dataFlags = values['data-dir']
    ? ['--data-dir', values['data-dir']]
    : values.data
      ? ['--data', values.data]
      : [];
  const config = loadConfig(dataFlags);
  const usage = new CafError('cli-usage', {
    ro: 'Folosire: token create --unit COD | --coordinator [--label TEXT]; token list; token revoke ID',
    en: 'Usage: token create --unit CODE | --coordinator [--label TEXT]; token list; token revoke ID',
  });
  // A token made in a new empty database would be refused by the running service: say where we looked instead.
  if (!existsSync(path.join(config.dataDir, 'caf-plan.sqlite'))) {
    throw new CafError('no-database', {
      ro: `Nu există o bază de date caf-plan în ${config.dataDir}. Dați dosarul de date al serviciului cu --data-dir DOSAR sau CAF_DATA_DIR (implicit ./data, față de dosarul curent).`,
      en: `There is no caf-plan database in ${config.dataDir}. Give the service's data folder with --data-dir DIR or CAF_DATA_DIR (default ./data, relative to the current folder).`,
    });
  }
  const store = openStore(config.dataDir);
  try {
    switch (action) {
      case 'create': {
        if (Boolean(values.unit) === Boolean(values.coordinator)) throw usage;
        const label = values.label?.slice(0, 200);
        if (values.coordinator) {
          const { token, record } = store.createToken({ role: 'coordinator', ...(label ? { label } : {}) });
          store.audit('cli', 'token.created', record.id, { role: 'coordinator' });
          printToken(token, { ro: 'coordonator', en: 'the coordinator' });
        } else {
          const unit = UnitCode.parse(values.unit);
          const known = store
            .listPlans()
            .some((p) => store.revisionPlan(p.id, p.currentRevision)?.units.some((u) => u.code === unit));
          if (!known && store.listPlans().length > 0) {
            process.stderr.write(
              `Atenție: unitatea ${unit} nu este în legenda niciunui plan.\nWarning: the unit ${unit} is not in any plan's legend.\n`,
            );
          }
          const { token, record } = store.createToken({ role: 'unit', unit, ...(label ? { label } : {}) });
          store.audit('cli', 'token.created', record.id, { role: 'unit', unit });
          printToken(token, { ro: `unitatea ${unit}`, en: `the unit ${unit}` });
        }
        return 0;
      }
      case 'list':
        for (const t of store.listTokens()) {
          say(
            [
              t.id,
              t.role,
              t.unit ?? '-',
              t.createdAt,
              t.revokedAt ? `revoked ${t.revokedAt}` : 'active',
              t.label ?? '',
            ].join('\t'),
          );
        }
        return 0;
      case 'revoke': {
        const id = positionals[0];
        if (!id) throw usage;
        if (!store.revokeToken(id)) {
          throw new CafError('not-found', { ro: `Nu există tokenul activ ${id}.`, en: `No active token ${id}.` });
        }
        store.audit('cli', 'token.revoked', id);
        say(`revocat / revoked: ${id}`);
        return 0;
      }
      default:
        throw usage;
    }
  } finally {
    store.close();
  }
}
