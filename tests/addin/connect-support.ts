// The real sync service for the add-in's connection tests, which can be killed and started again on the same port
// and data: a Store on a SQLite file in a temp dir, createApp behind a plain http server on 127.0.0.1 whose
// sockets the test can cut, at the start of the n-th request or in the middle of its answer.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { Express } from 'express';
import type { WorkbookGrid } from '../../plan/model';
import { configWith, type Config } from '../../service/config';
import { createApp } from '../../service/http/app';
import { MergeRunner } from '../../service/jobs/merge';
import { Store } from '../../service/store/store';
import { readWorkbookGrid } from '../../service/xlsx/read';
import { sampleXlsxPath } from '../support/seed';

export type Cut = 'before-answer' | 'mid-answer';

export interface KillableService {
  url: string;
  port: number;
  dataDir: string;
  store: Store;
  coordinator: string;
  unitToken(unit: string): string;
  /** Requests seen since start (the API only). */
  requests: string[];
  /** Kills the service at the n-th API request from now (1 = the next one): its socket cut, the server closed. */
  killAt(n: number, cut: Cut): void;
  /** Resolves once the service has been killed by killAt. */
  killed(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  api(method: string, at: string, init?: { token?: string; body?: unknown }): Promise<Response>;
  /** A revision's or a copy's workbook as the add-in would see it in Excel. */
  gridOf(at: string, token?: string): Promise<WorkbookGrid>;
  close(): Promise<void>;
}

export async function startKillableService(overrides: Partial<Config> = {}): Promise<KillableService> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'caf-connect-'));
  const config = configWith({ dataDir, logLevel: 'silent', rateLimitPerMinute: 100_000, ...overrides });
  const store = new Store(dataDir);
  const merges = new MergeRunner(store);
  const app: Express = createApp({ store, config, merges, logger: pino({ level: 'silent' }) });
  const coordinator = store.createToken({ role: 'coordinator' }).token;
  const tokens = new Map<string, string>();
  const requests: string[] = [];
  let kill: { at: number; cut: Cut } | null = null;
  let onKilled: (() => void) | null = null;
  let killedPromise: Promise<void> = Promise.resolve();
  let server: Server | null = null;
  let port = 0;

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.url?.startsWith('/api/')) {
      requests.push(`${req.method} ${req.url}`);
      if (kill && --kill.at === 0) {
        const cut = kill.cut;
        kill = null;
        const die = (): void => {
          req.socket.destroy();
          void s.stop().then(() => onKilled?.());
        };
        if (cut === 'before-answer') return die();
        // Mid-answer: the headers and the first half of the body go out, then the connection drops.
        res.end = ((chunk?: unknown) => {
          const body =
            typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.alloc(0);
          res.write(body.subarray(0, Math.max(1, Math.floor(body.length / 2))), () => die());
          return res;
        }) as typeof res.end;
      }
    }
    app(req, res);
  };

  const s: KillableService = {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    dataDir,
    store,
    coordinator,
    requests,
    unitToken(unit) {
      if (!tokens.has(unit)) tokens.set(unit, store.createToken({ role: 'unit', unit }).token);
      return tokens.get(unit)!;
    },
    killAt(n, cut) {
      kill = { at: n, cut };
      killedPromise = new Promise((resolve) => (onKilled = resolve));
    },
    killed: () => killedPromise,
    async stop() {
      const running = server;
      server = null;
      if (!running) return;
      running.closeAllConnections();
      await new Promise<void>((resolve) => running.close(() => resolve()));
    },
    async start() {
      if (server) return;
      const next = createServer(handler);
      await new Promise<void>((resolve, reject) => {
        next.once('error', reject);
        next.listen(port, '127.0.0.1', () => resolve());
      });
      server = next;
      port = (next.address() as AddressInfo).port;
    },
    async api(method, at, init = {}) {
      const headers: Record<string, string> = { authorization: `Bearer ${init.token ?? coordinator}` };
      let body: BodyInit | undefined;
      if (init.body instanceof Uint8Array) {
        body = init.body as BodyInit;
        headers['content-type'] = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
      } else if (init.body !== undefined) {
        body = JSON.stringify(init.body);
        headers['content-type'] = 'application/json';
      }
      return fetch(`${s.url}${at}`, { method, headers, body });
    },
    async gridOf(at, token) {
      const res = await s.api('GET', at, token ? { token } : {});
      if (res.status !== 200) throw new Error(`${at}: ${res.status} ${await res.text()}`);
      return readWorkbookGrid(new Uint8Array(await res.arrayBuffer()));
    },
    async close() {
      await s.stop();
      store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  await s.start();
  return s;
}

/** Imports the sample plan (samples/plan-sector1.xlsx) as the coordinator; returns its plan id. */
export async function importSamplePlan(s: KillableService): Promise<string> {
  const res = await s.api('POST', '/api/plans?name=Plan%20Sector%201', {
    body: new Uint8Array(readFileSync(sampleXlsxPath)),
  });
  if (res.status !== 201) throw new Error(`import: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { plan: { id: string } }).plan.id;
}
