// External tools some tests need (LibreOffice, Chromium, xmllint): found here once, with the reason a test skips.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export const hasSoffice = onPath('soffice');
export const hasChromium = existsSync('/usr/bin/chromium');

/** Debian's Chromium, headless, as the brief says; a persistent profile in `profile` (a temporary folder). */
export function launchChromium(
  profile: string,
  options: { viewport: { width: number; height: number }; locale?: string },
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    ...options,
  });
}
export const hasXmllint = onPath('xmllint');
export const hasSsconvert = onPath('ssconvert');

export function skipReason(tool: 'soffice' | 'chromium' | 'xmllint' | 'ssconvert'): string {
  return `${tool} is not installed (scripts/ensure-test-tools.sh could not install it): skipped`;
}

/**
 * Converts a workbook with LibreOffice in a private profile (parallel runs must not share one).
 * `filter` is e.g. `csv:Text - txt - csv (StarCalc):9,34,76,1,,0,false,true,false,false,false,-1` or `xlsx`.
 * Returns the path of the converted file.
 */
export function sofficeConvert(input: string, filter: string, outDir: string): string {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'caf-lo-'));
  try {
    execFileSync(
      'soffice',
      [
        `-env:UserInstallation=file://${profile}`,
        '--headless',
        '--norestore',
        '--convert-to',
        filter,
        '--outdir',
        outDir,
        input,
      ],
      { stdio: 'pipe', timeout: 120_000 },
    );
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
  const ext = filter.split(':')[0]!;
  const base = path.basename(input, path.extname(input));
  const sameDir = path.resolve(outDir) === path.resolve(path.dirname(input));
  const out = readdirSync(outDir).find(
    (f) => f.startsWith(base) && f.endsWith(`.${ext}`) && !(sameDir && f === path.basename(input)),
  );
  if (!out) throw new Error(`LibreOffice wrote no .${ext} for ${input}`);
  return path.join(outDir, out);
}

/** Every sheet of a workbook as tab-separated text (LibreOffice's csv filter, sheet -1 = all sheets, UTF-8). */
export function sofficeSheetsAsTsv(input: string, outDir: string): string[] {
  sofficeConvert(input, 'csv:Text - txt - csv (StarCalc):9,34,76,1,,0,false,true,false,false,false,-1', outDir);
  const base = path.basename(input, path.extname(input));
  return readdirSync(outDir)
    .filter((f) => f.startsWith(base) && f.endsWith('.csv'))
    .sort()
    .map((f) => path.join(outDir, f));
}
