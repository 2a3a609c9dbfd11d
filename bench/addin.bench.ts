// The add-in's Excel layer on the fake Excel (tests/addin/fake-excel) at 72, 1,000 and 10,000 actions: round trips
// (context.sync calls), wall time in the add-in plus the fake, and the largest request and response of one sync
// against Excel on the web's 5 MB limit. The fake runs in-process, so times are the add-in's own cost (building
// payloads, reading values) without Excel's; the sync count is what dominates on Excel on the web.
import { performance } from 'node:perf_hooks';
import { applyFilter, applyHighlighting, clearFilter, preparePlan, readWorkbook, writeRows } from '../addin/excel';
import { readPlan } from '../plan/grid';
import type { Plan, PlanMeta } from '../plan/model';
import { FakeWorkbook, installFakeOffice, WEB_PAYLOAD_LIMIT } from '../tests/addin/fake-excel';
import { scaledSeedGrid } from '../tests/addin/scaled-plan';

const META: PlanMeta = { planId: 'bench', revision: 1, schemaVersion: 1 };
const kb = (n: number): string => (n / 1024).toFixed(n < 10 * 1024 ? 1 : 0);

const lines: string[] = [
  '## Add-in Excel layer (fake Excel)',
  '',
  'One user action = one `Excel.run`. Syncs = round trips to Excel; request/response = the largest single sync,',
  `as UTF-8 JSON of the queued operations / loaded properties (Excel on the web refuses either above ${WEB_PAYLOAD_LIMIT / 1024 / 1024} MB).`,
  '',
  '| actions | user action | syncs | time (ms) | µs per plan action | largest request (KB) | largest response (KB) |',
  '| ---: | --- | ---: | ---: | ---: | ---: | ---: |',
];
let worst = { request: 0, response: 0 };

for (const size of [72, 10_000, 50_000]) {
  process.stderr.write(`addin bench: ${size} actions\n`);
  const wb = FakeWorkbook.fromGrid(scaledSeedGrid(size));
  const office = installFakeOffice(globalThis, wb);
  let plan: Plan = readPlan(wb.toGrid());
  const steps: [string, () => Promise<unknown>][] = [
    ['readWorkbook', () => readWorkbook()],
    ['preparePlan', async () => (plan = (await preparePlan(plan, META)).plan)],
    ['applyHighlighting', () => applyHighlighting(plan, { soonDays: 30 })],
    [
      'applyFilter (unit + state)',
      () => applyFilter(plan, { units: ['DMRU'], states: ['overdue'] }, { today: '2023-07-01' }),
    ],
    ['clearFilter', () => clearFilter(plan.sheet)],
    [
      'writeRows (every action)',
      () =>
        writeRows(
          plan.sheet,
          plan.actions.map((a) => ({
            row: a.row,
            col: plan.columns.monitoring!,
            value: 'Verificat în ședința lunară',
          })),
        ),
    ],
  ];
  for (const [name, step] of steps) {
    wb.resetStats();
    const t0 = performance.now();
    await step();
    const ms = performance.now() - t0;
    const s = wb.stats;
    worst = {
      request: Math.max(worst.request, s.largestRequestBytes),
      response: Math.max(worst.response, s.largestResponseBytes),
    };
    lines.push(
      `| ${size.toLocaleString('en-US')} | ${name} | ${s.syncs} | ${ms.toFixed(1)} | ${((ms * 1000) / size).toFixed(1)} | ${kb(s.largestRequestBytes)} | ${kb(s.largestResponseBytes)} |`,
    );
  }
  office.uninstall();
}

lines.push(
  '',
  `Largest single payload over all runs: request ${kb(worst.request)} KB, response ${kb(worst.response)} KB ` +
    `(${((100 * Math.max(worst.request, worst.response)) / WEB_PAYLOAD_LIMIT).toFixed(0)}% of the 5 MB limit)` +
    (Math.max(worst.request, worst.response) < WEB_PAYLOAD_LIMIT
      ? ': every sync fits in one payload up to 50,000 actions (reads are chunked under 4 MB).'
      : ': OVER the limit, chunking needed.'),
);
process.stdout.write(lines.join('\n') + '\n');
