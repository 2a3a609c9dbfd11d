// The service with its pages (coordinator, department page, report) for browser tests: createApp with the page
// router, a SQLite file in a temp dir, the Sector 1 sample imported, a pinned clock, and Chromium with a fresh
// profile. Console errors of every page are collected so a test can say none happened.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { pino } from 'pino';
import type { Field, Plan } from '../../plan/model';
import { ownerCodes } from '../../plan/owners';
import { configWith } from '../../service/config';
import { createApp } from '../../service/http/app';
import { coordinatorPage } from '../../service/http/page';
import { MergeRunner } from '../../service/jobs/merge';
import { Store } from '../../service/store/store';
import { repoRoot, sampleXlsxPath } from '../support/seed';
import { launchChromium } from '../support/tools';
import { editCells } from './sources-fixtures';

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const artifacts = path.join(repoRoot, 'tests/artifacts');

export interface PageService {
  dir: string;
  url: string;
  store: Store;
  planId: string;
  coordinator: string;
  consoleErrors: string[];
  call(
    method: string,
    at: string,
    token: string,
    body?: Uint8Array | object,
    headers?: Record<string, string>,
  ): Promise<Response>;
  unitToken(unit: string): string;
  copyOf(unit: string): Promise<Uint8Array>;
  submitCopy(unit: string, edits: { rowId: string; column: Field; value: string }[]): Promise<void>;
  browser(width: number, height?: number): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

export const owned = (plan: Plan, unit: string): string[] =>
  plan.actions.filter((a) => ownerCodes(a.text.owners, plan.units).includes(unit)).map((a) => a.id);

export async function startPageService(now = new Date('2023-05-15T09:00:00+03:00')): Promise<PageService> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caf-pages-'));
  const config = configWith({
    dataDir: path.join(dir, 'data'),
    logLevel: 'silent',
    rateLimitPerMinute: 100_000,
    samplePlan: '',
  });
  const store = new Store(config.dataDir);
  const merges = new MergeRunner(store);
  const app = createApp({
    store,
    config,
    merges,
    logger: pino({ level: 'silent' }),
    routers: [{ path: '/', router: coordinatorPage({ store, config, now: () => now }) }],
    now: () => now,
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const coordinator = store.createToken({ role: 'coordinator', label: 'test' }).token;
  const tokens = new Map<string, string>();
  const contexts: BrowserContext[] = [];
  const consoleErrors: string[] = [];

  const call: PageService['call'] = async (method, at, token, body, headers = {}) => {
    const init: RequestInit = { method, headers: { authorization: `Bearer ${token}`, ...headers } };
    if (body instanceof Uint8Array) {
      init.body = body as BodyInit;
      (init.headers as Record<string, string>)['content-type'] = XLSX;
    } else if (body) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const res = await fetch(url + at, init);
    if (!res.ok) throw new Error(`${method} ${at}: ${res.status} ${await res.text()}`);
    return res;
  };
  const imported = await call(
    'POST',
    '/api/plans?name=Plan%20Sector%201%202022',
    coordinator,
    new Uint8Array(readFileSync(sampleXlsxPath)),
  );
  const planId = ((await imported.json()) as { plan: { id: string } }).plan.id;
  const unitToken = (unit: string): string => {
    if (!tokens.has(unit)) tokens.set(unit, store.createToken({ role: 'unit', unit }).token);
    return tokens.get(unit)!;
  };
  const copyOf = async (unit: string) =>
    new Uint8Array(
      await (await call('GET', `/api/plans/${planId}/copies/${unit}.xlsx`, unitToken(unit))).arrayBuffer(),
    );
  mkdirSync(artifacts, { recursive: true });
  return {
    dir,
    url,
    store,
    planId,
    coordinator,
    consoleErrors,
    call,
    unitToken,
    copyOf,
    async submitCopy(unit, edits) {
      await call(
        'POST',
        `/api/plans/${planId}/submissions`,
        unitToken(unit),
        await editCells(await copyOf(unit), edits),
        {
          'x-file-name': `copie ${unit}.xlsx`,
        },
      );
    },
    async browser(width, height = 900) {
      const context = await launchChromium(path.join(dir, `profile-${contexts.length}`), {
        viewport: { width, height },
      });
      contexts.push(context);
      const page = context.pages()[0] ?? (await context.newPage());
      page.on('console', (msg) => {
        if (msg.type() === 'error') consoleErrors.push(`${msg.text()} @ ${msg.location().url}`);
      });
      page.on('pageerror', (error) => consoleErrors.push(String(error)));
      return { context, page };
    },
    async close() {
      for (const c of contexts) await c.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
