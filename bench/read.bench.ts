// Reading a plan workbook: our streaming reader (service/xlsx/read.ts, then plan/grid.ts readPlan) against
// exceljs `workbook.xlsx.readFile`, on the Sector 1 sample scaled to 5,000 and 50,000 actions. Every run is a
// child process of its own, so that each peak RSS (process.resourceUsage().maxRSS) belongs to one reader only.
//
//   npm run bench -- read        (Markdown on stdout, progress on stderr)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scaledSeed } from './scaled-plan';
// Readers are imported inside the child that measures them, so that no run pays for loading another's code.

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const SIZES = [5_000, 50_000];
const RUNS = 5;
const MODES = ['baseline', 'grid', 'grid+plan', 'exceljs'] as const;
type Mode = (typeof MODES)[number];

interface Measure {
  ms: number;
  /** readPlan's share of `ms` (grid+plan only). */
  planMs?: number;
  peakMb: number;
  check: number;
}

async function ensureWorkbook(actions: number): Promise<string> {
  const dir = path.join(here, 'tmp');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `plan-${actions}.xlsx`);
  if (!existsSync(file)) {
    process.stderr.write(`read bench: writing ${path.relative(root, file)} ...\n`);
    const { buildSampleWorkbook } = await import('../scripts/make-sample');
    const wb = await buildSampleWorkbook(scaledSeed(actions));
    // Written under another name and renamed, so an interrupted run never leaves a half file behind.
    await wb.xlsx.writeFile(`${file}.part`);
    renameSync(`${file}.part`, file);
  }
  return file;
}

async function child(mode: Mode, file: string): Promise<void> {
  const { readWorkbookFile } = await import('../service/xlsx/read');
  const { readPlan } = mode === 'grid+plan' ? await import('../plan/grid') : { readPlan: null };
  const ExcelJS = mode === 'exceljs' ? (await import('exceljs')).default : null;
  globalThis.gc?.();
  const started = performance.now();
  let check = 0;
  let planMs: number | undefined;
  if (mode === 'grid' || mode === 'grid+plan') {
    const grid = await readWorkbookFile(file);
    check = grid.sheets[0]!.rows.length;
    if (readPlan) {
      const planStarted = performance.now();
      check = readPlan(grid).actions.length;
      planMs = performance.now() - planStarted;
    }
  } else if (ExcelJS) {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    check = wb.worksheets[0]!.rowCount;
  }
  const ms = performance.now() - started;
  const measure: Measure = { ms, planMs, peakMb: process.resourceUsage().maxRSS / 1024, check };
  process.stdout.write(JSON.stringify(measure) + '\n');
}

function runChild(mode: Mode, file: string): Measure {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--expose-gc', fileURLToPath(import.meta.url), '--child', mode, file],
    {
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
      timeout: 5 * 60 * 1000,
    },
  );
  if (run.status !== 0) throw new Error(`read bench child ${mode} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Measure;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const rows: string[] = [];
  const summary: string[] = [];
  for (const actions of SIZES) {
    const file = await ensureWorkbook(actions);
    const fileMb = statSync(file).size / 2 ** 20;
    const results = new Map<Mode, Measure[]>();
    for (let run = 0; run < RUNS; run++) {
      // Interleaved, so a noisy neighbour slows every reader alike.
      for (const mode of MODES) {
        process.stderr.write(`read bench: ${actions} actions, ${mode}, run ${run + 1}/${RUNS}\n`);
        results.set(mode, [...(results.get(mode) ?? []), runChild(mode, file)]);
      }
    }
    const stat = (mode: Mode): { ms: number; planMs: number; peakMb: number; check: number } => {
      const ms = results.get(mode)!;
      return {
        ms: median(ms.map((m) => m.ms)),
        planMs: median(ms.map((m) => m.planMs ?? 0)),
        peakMb: Math.max(...ms.map((m) => m.peakMb)),
        check: ms[0]!.check,
      };
    };
    const base = stat('baseline');
    const exceljs = stat('exceljs');
    const grid = stat('grid');
    const gridPlan = stat('grid+plan');
    const ratio = (ms: number): string => `${(exceljs.ms / ms).toFixed(1)}x`;
    const line = (reader: string, ms: number, peakMb: number, note: string, vsExceljs: string): string =>
      `| ${actions.toLocaleString('en-US')} | ${fileMb.toFixed(1)} | ${reader} | ${ms.toFixed(0)} | ${peakMb.toFixed(0)} | ${vsExceljs} | ${note} |`;
    rows.push(
      line('readWorkbookGrid', grid.ms, grid.peakMb, `${grid.check} rows`, ratio(grid.ms)),
      line(
        'readWorkbookGrid + readPlan',
        gridPlan.ms,
        gridPlan.peakMb,
        `${gridPlan.check} actions; readPlan alone ${gridPlan.planMs.toFixed(0)} ms`,
        ratio(gridPlan.ms),
      ),
      line('exceljs readFile', exceljs.ms, exceljs.peakMb, `${exceljs.check} rows`, '1.0x'),
      line('(node + tsx, no read)', base.ms, base.peakMb, 'process baseline', ''),
    );
    summary.push(
      `- ${actions.toLocaleString('en-US')} actions: readWorkbookGrid is ${ratio(grid.ms)} faster than exceljs readFile ` +
        `(${grid.ms.toFixed(0)} ms vs ${exceljs.ms.toFixed(0)} ms), peak RSS ${grid.peakMb.toFixed(0)} MB vs ${exceljs.peakMb.toFixed(0)} MB.`,
    );
  }
  process.stdout.write(
    [
      '## Reading a plan workbook (service/xlsx/read.ts vs exceljs)',
      '',
      `The Sector 1 sample scaled to ${SIZES.map((s) => s.toLocaleString('en-US')).join(' and ')} actions (seed action rows repeated and renumbered), written by exceljs.`,
      `Each figure: median time of ${RUNS} runs, each run in a fresh child process (file read from disk included); peak RSS is the`,
      'largest `process.resourceUsage().maxRSS` over the runs and includes the Node + tsx baseline shown in the last line of each size.',
      'Goal: at least 3x faster than exceljs and under 300 MB peak at 50,000 actions.',
      '',
      '| actions | file MB | reader | median ms | peak RSS MB | speed vs exceljs | notes |',
      '| ---: | ---: | --- | ---: | ---: | ---: | --- |',
      ...rows,
      '',
      ...summary,
      '',
    ].join('\n'),
  );
}

const args = process.argv.slice(2);
if (args[0] === '--child') await child(args[1] as Mode, args[2]!);
else await main();
