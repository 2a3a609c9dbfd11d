// The real service for tests: a Store on a SQLite file in a fresh temp dir, the Express app listening on
// 127.0.0.1 on a free port, and small helpers to call it and to edit a department copy as a person would in Excel.
import ExcelJS from 'exceljs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { readPlan } from '../../plan/grid';
import type { Field, Plan } from '../../plan/model';
import { configWith, type Config } from '../../service/config';
import { createApp } from '../../service/http/app';
import { MergeRunner } from '../../service/jobs/merge';
import { Store } from '../../service/store/store';
import { readWorkbookGrid } from '../../service/xlsx/read';
import { sampleXlsxPath } from '../support/seed';

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface Running {
  url: string;
  dataDir: string;
  store: Store;
  config: Config;
  coordinator: string;
  unitToken(unit: string): string;
  call(
    method: string,
    at: string,
    init?: { token?: string | null; body?: unknown; type?: string; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): Promise<void>;
}

export async function startService(overrides: Partial<Config> = {}): Promise<Running> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'caf-service-'));
  const config = configWith({ dataDir, logLevel: 'silent', rateLimitPerMinute: 100_000, ...overrides });
  const store = new Store(dataDir);
  const merges = new MergeRunner(store);
  const app = createApp({ store, config, merges, logger: pino({ level: 'silent' }) });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const coordinator = store.createToken({ role: 'coordinator' }).token;
  const tokens = new Map<string, string>();
  const running: Running = {
    url,
    dataDir,
    store,
    config,
    coordinator,
    unitToken(unit) {
      if (!tokens.has(unit)) tokens.set(unit, store.createToken({ role: 'unit', unit }).token);
      return tokens.get(unit)!;
    },
    async call(method, at, init = {}) {
      const headers: Record<string, string> = { ...(init.headers ?? {}) };
      const token = init.token === undefined ? coordinator : init.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let body: BodyInit | undefined;
      if (init.body instanceof Uint8Array) {
        body = init.body as BodyInit;
        headers['content-type'] = init.type ?? XLSX;
      } else if (typeof init.body === 'string') {
        body = init.body;
        if (init.type) headers['content-type'] = init.type;
      } else if (init.body !== undefined) {
        body = JSON.stringify(init.body);
        headers['content-type'] = init.type ?? 'application/json';
      }
      return fetch(url + at, { method, headers, body });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return running;
}

export function sampleBytes(): Uint8Array {
  return new Uint8Array(readFileSync(sampleXlsxPath));
}

export async function planOf(bytes: Uint8Array): Promise<Plan> {
  return readPlan(await readWorkbookGrid(bytes));
}

export async function bytesOf(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}

/** Edits cells of a workbook's plan sheet the way a department head would in Excel, and saves it. */
export async function editCopy(
  bytes: Uint8Array,
  edits: { rowId: string; column: Field; value: string }[],
): Promise<Uint8Array> {
  const plan = await planOf(bytes);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  const ws = wb.getWorksheet(plan.sheet)!;
  for (const e of edits) {
    const action = plan.actions.find((a) => a.id === e.rowId);
    const col = plan.columns[e.column];
    if (!action || col === undefined) throw new Error(`no cell for ${e.rowId}/${e.column}`);
    ws.getCell(action.row + 1, col + 1).value = e.value;
  }
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

export async function importSample(s: Running): Promise<string> {
  const res = await s.call('POST', '/api/plans?name=Plan%20Sector%201', { body: sampleBytes() });
  if (res.status !== 201) throw new Error(`import: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { plan: { id: string } }).plan.id;
}
