// Builds the add-in with the project's own webpack.config.js into a temp folder (webpack's Node API), so the tests
// check what `npm run build` ships rather than a copy of its settings.
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import webpack, { type Configuration, type Stats } from 'webpack';
import addinConfig from '../../webpack.config.js';

export interface BuildOptions {
  mode: 'production' | 'development';
  outDir: string;
  /** ADDIN_PUBLIC_URL for this build; undefined builds for the dev server. */
  publicUrl?: string;
  /** Extra entries (name -> file), e.g. a test harness bundle. */
  extraEntries?: Record<string, string>;
}

export async function buildAddin(options: BuildOptions): Promise<{ stats: Stats; warnings: string[] }> {
  const saved = process.env.ADDIN_PUBLIC_URL;
  let config: Configuration;
  try {
    if (options.publicUrl === undefined) delete process.env.ADDIN_PUBLIC_URL;
    else process.env.ADDIN_PUBLIC_URL = options.publicUrl;
    config = await addinConfig({}, { mode: options.mode });
  } finally {
    if (saved === undefined) delete process.env.ADDIN_PUBLIC_URL;
    else process.env.ADDIN_PUBLIC_URL = saved;
  }
  config.output = { ...config.output, path: options.outDir };
  config.devtool = false; // source maps cost time and are not under test
  if (options.extraEntries) {
    config.entry = { ...(config.entry as Record<string, string>), ...options.extraEntries };
  }
  const stats = await new Promise<Stats>((resolve, reject) => {
    webpack(config, (err, result) => {
      if (err) reject(err);
      else if (!result) reject(new Error('webpack returned no stats'));
      else resolve(result);
    });
  });
  const info = stats.toJson({ all: false, errors: true, warnings: true });
  if (stats.hasErrors()) {
    throw new Error(`webpack build failed:\n${(info.errors ?? []).map((e) => e.message).join('\n')}`);
  }
  return { stats, warnings: (info.warnings ?? []).map((w) => w.message) };
}

/**
 * The browser stays on `origin` (anything else is aborted: nothing leaves 127.0.0.1), and office.js is the fake
 * Excel bundle built into `dist` (the `fake-office` entry).
 */
export async function serveFakeOffice(context: BrowserContext, origin: string, dist: string): Promise<void> {
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.origin !== origin) return route.abort();
    if (url.pathname === '/addin/office/office.js') {
      return route.fulfill({ path: path.join(dist, 'addin/fake-office.js'), contentType: 'text/javascript' });
    }
    return route.continue();
  });
}
