// `npm run bench`: runs every bench/*.bench.ts in its own process (so peak memory figures do not leak from one
// benchmark into another) and writes their Markdown sections to bench/RESULTS.md under a header that says the
// command, the machine and the date. `npm run bench -- read merge` runs only the benchmarks whose name matches.
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort();

const sections: string[] = [];
for (const file of files) {
  const started = Date.now();
  process.stderr.write(`bench: ${file} ...\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', path.join(here, file)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
    timeout: 20 * 60 * 1000,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (run.status === 0) {
    sections.push(run.stdout.trim());
  } else {
    sections.push(
      `## ${file}\n\nFailed (exit ${run.status ?? run.signal}) after ${seconds} s; see the console output.`,
    );
  }
  process.stderr.write(`bench: ${file} done in ${seconds} s\n`);
}

const cpus = os.cpus();
const header = [
  '# Benchmarks',
  '',
  `- Command: \`npm run bench${filters.length ? ' -- ' + filters.join(' ') : ''}\``,
  `- Date: ${new Date().toISOString()}`,
  `- Machine: ${cpus.length} cores (${cpus[0]?.model ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, ${os.platform()} ${os.release()}, Node ${process.version}`,
  '- The machine is shared and noisy: compare the ratios measured within one run, not absolute times across runs.',
  '',
].join('\n');
const out = path.join(here, 'RESULTS.md');
writeFileSync(out, header + '\n' + sections.join('\n\n') + '\n');
process.stderr.write(`bench: wrote ${out}\n`);
