// Reading 50,000 actions in other layouts (issue 13) against today's layout: readPlan's CPU time, best of five,
// on grids built in memory (bench/layout-grids.ts), so the figure is the reader's and not the xlsx parser's.
//
//   npm run bench -- layouts
import { readPlan } from '../plan/grid';
import { LAYOUT_KINDS, layoutGrid } from './layout-grids';

const ACTIONS = 50_000;
const RUNS = 5;
const lines = ['## Reading 50,000 actions in three layouts (readPlan, CPU time, best of 5)', ''];
lines.push('| layout | actions read | best CPU ms | median CPU ms |', '| --- | ---: | ---: | ---: |');
for (const kind of LAYOUT_KINDS) {
  const grid = layoutGrid(kind, ACTIONS);
  let read = readPlan(grid).actions.length;
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    globalThis.gc?.();
    const before = process.cpuUsage();
    read = readPlan(grid).actions.length;
    const used = process.cpuUsage(before);
    times.push((used.user + used.system) / 1000);
  }
  times.sort((a, b) => a - b);
  lines.push(`| ${kind} | ${read} | ${times[0]!.toFixed(0)} | ${times[Math.floor(RUNS / 2)]!.toFixed(0)} |`);
  process.stderr.write(`layouts bench: ${kind} done\n`);
}
process.stdout.write(lines.join('\n') + '\n');
