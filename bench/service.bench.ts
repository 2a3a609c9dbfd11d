// The sync service under the load of a deadline day: 20 units submit their copies of a 1,008-action plan at the
// same moment (edited .xlsx uploads, then JSON rows from the add-in), then the coordinator runs the merge. Real
// app on 127.0.0.1, real SQLite file in a temp dir. Markdown to stdout, progress to stderr.
import autocannon from 'autocannon';
import ExcelJS from 'exceljs';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { SUBCRITERIA, CRITERIA } from '../plan/caf';
import { readPlan } from '../plan/grid';
import type { Plan } from '../plan/model';
import { ownerCodes } from '../plan/owners';
import { configWith } from '../service/config';
import { createApp } from '../service/http/app';
import { MergeRunner } from '../service/jobs/merge';
import { Store } from '../service/store/store';
import { padCopy } from '../tests/support/flood';
import { readWorkbookGrid } from '../service/xlsx/read';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const UNITS: [string, string][] = [
  ['DMRU', 'Direcția Management Resurse Umane'],
  ['SIC', 'Serviciul Imagine și Cultură'],
  ['SMI', 'Serviciul Management Informatic'],
  ['DGAPL', 'Direcția Generală Administrație Publică Locală'],
  ['CMON', 'Comisia de Monitorizare'],
  ['STLSA', 'Serviciul Tehnică Legislativă, Secretariat și Arhivă'],
  ['CL', 'Consiliul Local'],
  ['CSDDPP', 'Compartimentul de Strategii de Dezvoltare Durabilă, Programe, Proiecte'],
  ['DI', 'Direcția Investiții'],
  ['DJLCA', 'Direcția Juridică, Legislație, Contencios Administrativ'],
  ['DME', 'Direcția Management Economic'],
  ['SRRP', 'Serviciul Registratură, Relații cu Publicul'],
  ['DAS', 'Direcția Asistență Socială'],
  ['DFC', 'Direcția Fiscală și Colectare'],
  ['DUAT', 'Direcția Urbanism și Amenajarea Teritoriului'],
  ['DTI', 'Direcția Tehnologia Informației'],
  ['DPC', 'Direcția Patrimoniu și Cadastru'],
  ['DRP', 'Direcția Relații Publice'],
  ['DAP', 'Direcția Achiziții Publice'],
  ['DCT', 'Direcția Control Transport'],
];
const PER_SUBCRITERION = 36;

const log = (line: string): void => void process.stderr.write(`service.bench: ${line}\n`);

async function bigPlan(): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Plan de măsuri');
  ws.addRow(['PLAN DE MĂSURI PENTRU ÎMBUNĂTĂȚIREA CAF (bench)']);
  ws.addRow([]);
  let n = 0;
  for (const c of CRITERIA) {
    ws.addRow([`CRITERIUL ${c.code}: ${c.ro.toUpperCase()}`]);
    ws.addRow([
      'Acțiuni necesare',
      'Rezultate măsurabile',
      'Responsabil pentru îndeplinirea acțiunilor',
      'Termen de realizare',
      'Monitorizare și evaluare',
      'Resurse necesare',
    ]);
    for (const s of SUBCRITERIA.filter((x) => x.criterion === c.code)) {
      ws.addRow([`${s.code}: ${s.ro}`]);
      for (let i = 1; i <= PER_SUBCRITERION; i++) {
        const owner = UNITS[n % UNITS.length]![0];
        const second = n % 7 === 0 ? `, ${UNITS[(n + 3) % UNITS.length]![0]}` : '';
        ws.addRow([
          `${i}. Acțiunea ${s.code}.${i}: revizuirea procedurii și instruirea personalului`,
          'Procedură revizuită; personal instruit',
          owner + second,
          ['SEM. II 2024', 'TRIM. III 2025', 'Permanent', '30.06.2025'][n % 4],
          '',
          'Resurse umane; de timp',
        ]);
        n++;
      }
    }
  }
  ws.addRow([]);
  ws.addRow(['Legendă:']);
  for (const [code, name] of UNITS) ws.addRow([`${code} - ${name}`]);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

async function editRows(bytes: Uint8Array, plan: Plan, unit: string): Promise<{ bytes: Uint8Array; edits: number }> {
  const copy = readPlan(await readWorkbookGrid(bytes));
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  const ws = wb.getWorksheet(copy.sheet)!;
  let edits = 0;
  for (const a of copy.actions) {
    if (!ownerCodes(a.text.owners, plan.units).includes(unit)) continue;
    ws.getCell(a.row + 1, copy.columns.status! + 1).value = 'În curs';
    ws.getCell(a.row + 1, copy.columns.monitoring! + 1).value = `Stadiu raportat de ${unit}: ${a.id}`;
    edits += 2;
  }
  return { bytes: new Uint8Array(await wb.xlsx.writeBuffer()), edits };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Round {
  name: string;
  latencies: number[];
  errors: number;
  wallMs: number;
  bytes: number;
}

async function concurrently(name: string, requests: (() => Promise<Response>)[], bytes: number): Promise<Round> {
  const latencies: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(
    requests.map(async (send) => {
      const t = performance.now();
      try {
        const res = await send();
        await res.arrayBuffer();
        if (res.status !== 201) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t);
    }),
  );
  return { name, latencies: latencies.sort((a, b) => a - b), errors, wallMs: performance.now() - t0, bytes };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'caf-bench-'));
  const config = configWith({ dataDir, logLevel: 'silent', rateLimitPerMinute: 1_000_000 });
  const store = new Store(dataDir);
  const merges = new MergeRunner(store);
  const app = createApp({ store, config, merges, logger: pino({ level: 'silent' }) });
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const coordinator = store.createToken({ role: 'coordinator' }).token;
  const tokens = Object.fromEntries(UNITS.map(([u]) => [u, store.createToken({ role: 'unit', unit: u }).token]));
  const call = (method: string, at: string, token: string, body?: Uint8Array | string, type?: string) =>
    fetch(url + at, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(type ? { 'content-type': type } : {}) },
      ...(body !== undefined ? { body: body as BodyInit } : {}),
    });
  try {
    log('building a 1,008-action plan');
    const master = await bigPlan();
    let t = performance.now();
    const imported = await call('POST', '/api/plans?id=bench', coordinator, master, XLSX);
    if (imported.status !== 201) throw new Error(`import: ${imported.status} ${await imported.text()}`);
    const importMs = performance.now() - t;
    const plan = ((await (await call('GET', '/api/plans/bench/current.json', coordinator)).json()) as { plan: Plan })
      .plan;
    log(`imported ${plan.actions.length} actions in ${importMs.toFixed(0)} ms`);

    t = performance.now();
    const copies = await Promise.all(
      UNITS.map(
        async ([u]) =>
          new Uint8Array(await (await call('GET', `/api/plans/bench/copies/${u}.xlsx`, tokens[u]!)).arrayBuffer()),
      ),
    );
    const copiesMs = performance.now() - t;
    log(`20 copies issued in ${copiesMs.toFixed(0)} ms; editing them`);
    const edited = await Promise.all(UNITS.map(([u], i) => editRows(copies[i]!, plan, u)));
    const totalEdits = edited.reduce((n, e) => n + e.edits, 0);

    log('20 uploads at once');
    const uploadBytes = edited.reduce((n, e) => n + e.bytes.length, 0);
    const uploads = await concurrently(
      '20 edited .xlsx copies at once',
      UNITS.map(
        ([u], i) =>
          () =>
            call('POST', '/api/plans/bench/submissions', tokens[u]!, edited[i]!.bytes, XLSX),
      ),
      uploadBytes,
    );
    log('20 JSON submissions at once');
    const bodies = UNITS.map(([u]) =>
      JSON.stringify({
        unit: u,
        baseRevision: 1,
        rows: plan.actions
          .filter((a) => ownerCodes(a.text.owners, plan.units).includes(u))
          .map((a) => ({
            id: a.id,
            values: { status: 'Parțial realizat', monitoring: `Actualizat din add-in: ${a.id}` },
          })),
      }),
    );
    const jsonRound = await concurrently(
      '20 JSON row sets (add-in) at once',
      UNITS.map(
        ([u], i) =>
          () =>
            call('POST', '/api/plans/bench/submissions', tokens[u]!, bodies[i]!, 'application/json'),
      ),
      bodies.reduce((n, b) => n + b.length, 0),
    );

    // Bounded intake: one careless unit's flood, refused before it is stored; the process's peak RSS before and after.
    log('flood: a copy padded with 75,000 junk rows and 10,000 unknown ids in JSON');
    const dmruCopy = copies[0]!;
    const { bytes: padded, sheetBytes } = padCopy(dmruCopy, plan, 75_000, dataDir);
    // padCopy blocks this process (the server too) for seconds: let the idle keep-alive sockets it outlived close
    // before the next requests, or fetch reuses one the server is closing (ECONNRESET).
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const peakBefore = process.resourceUsage().maxRSS / 1024;
    t = performance.now();
    const floodXlsx = await call('POST', '/api/plans/bench/submissions', tokens.DMRU!, padded, XLSX);
    const floodXlsxMs = performance.now() - t;
    t = performance.now();
    const floodJson = await call(
      'POST',
      '/api/plans/bench/submissions',
      tokens.DMRU!,
      JSON.stringify({
        unit: 'DMRU',
        baseRevision: 1,
        rows: Array.from({ length: 10_000 }, (_, i) => ({ id: `necunoscut-${i}`, values: { status: 'În curs' } })),
      }),
      'application/json',
    );
    const floodJsonMs = performance.now() - t;
    const peakAfter = process.resourceUsage().maxRSS / 1024;
    await floodXlsx.arrayBuffer();
    await floodJson.arrayBuffer();

    log('merge');
    t = performance.now();
    const merged = await call('POST', '/api/plans/bench/merges', coordinator);
    const mergeMs = performance.now() - t;
    const merge = (await merged.json()) as {
      status: string;
      report: {
        counts: { applied: number; conflicts: number };
        submissions: { outcome: string }[];
        overridden?: unknown[];
      };
    };
    if (merged.status !== 201) throw new Error(`merge: ${merged.status} ${JSON.stringify(merge)}`);

    log('autocannon: progress.json for 5 s');
    const cannon = await autocannon({ url: `${url}/api/plans/bench/progress.json`, connections: 10, duration: 5 });
    const rss = process.memoryUsage().rss;

    const row = (r: Round): string =>
      `| ${r.name} | ${r.latencies.length} | ${(r.bytes / 1024 / 1024).toFixed(1)} MB | ${r.wallMs.toFixed(0)} ms | ${((r.latencies.length * 1000) / r.wallMs).toFixed(1)} req/s | ${percentile(r.latencies, 50).toFixed(0)} ms | ${percentile(r.latencies, 99).toFixed(0)} ms | ${r.errors} |`;
    const mergedCount = merge.report.submissions.filter((s) => s.outcome === 'merged').length;
    const overridden = merge.report.overridden?.length ?? 0;
    const out = [
      '## Sync service: 20 units submit at once, then the merge',
      '',
      `Plan of ${plan.actions.length} actions, ${plan.units.length} units (each owns ~${Math.round(plan.actions.length / UNITS.length)} rows, every 7th row has a second owner). In-process Express app on 127.0.0.1, SQLite (WAL, synchronous=FULL) in a temp dir, blobs fsynced. Each unit edits status and monitoring on all its rows (${totalEdits} cells in all).`,
      '',
      `- Import (read, prepare, store revision 1): ${importMs.toFixed(0)} ms`,
      `- 20 department copies issued concurrently: ${copiesMs.toFixed(0)} ms`,
      '',
      '| round | requests | body | wall time | throughput | p50 | p99 | errors |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      row(uploads),
      row(jsonRound),
      '',
      `- Merge of 40 submissions (every one counts: ${mergedCount} merged; ${overridden} cells of the uploads overridden by the same unit's later JSON rows): ${mergeMs.toFixed(0)} ms, status ${merge.status}, ${merge.report.counts.applied} cells applied, ${merge.report.counts.conflicts} conflicts (the two owners of a shared row set the same value, so they agree).`,
      `- Bounded intake: a copy padded with 75,000 junk rows (${(padded.length / 1024 / 1024).toFixed(1)} MB sent, ${(sheetBytes / 1024 / 1024).toFixed(0)} MB unzipped) answered ${floodXlsx.status} in ${floodXlsxMs.toFixed(0)} ms; 10,000 unknown ids in JSON answered ${floodJson.status} in ${floodJsonMs.toFixed(0)} ms; peak RSS of the process ${peakBefore.toFixed(0)} MB before, ${peakAfter.toFixed(0)} MB after.`,
      `- GET progress.json (autocannon, 10 connections, 5 s): ${cannon.requests.average.toFixed(0)} req/s, p50 ${cannon.latency.p50} ms, p99 ${cannon.latency.p99} ms, errors ${cannon.errors + cannon.non2xx}.`,
      `- RSS of the process at the end: ${(rss / 1024 / 1024).toFixed(0)} MB (server and the bench's own exceljs editing of the 20 copies, in one process).`,
    ];
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
