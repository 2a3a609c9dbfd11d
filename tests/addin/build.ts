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

/** Where the built pane loads Office.js from, as Microsoft documents it (taskpane.html). */
export const OFFICE_JS_CDN = 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js';

/**
 * The browser stays on `origin` (anything else is aborted: nothing leaves 127.0.0.1), and Office.js is the fake
 * Excel bundle built into `dist` (the `fake-office` entry): at Microsoft's CDN address, or, with `cdn: 'offline'`
 * (a city hall's network that cannot reach it), only at the bundled copy the pane falls back to. Returns the
 * Office.js addresses the page asked for, in order.
 */
export async function serveFakeOffice(
  context: BrowserContext,
  origin: string,
  dist: string,
  options: { cdn?: 'fake' | 'offline' } = {},
): Promise<string[]> {
  const asked: string[] = [];
  const fake = { path: path.join(dist, 'addin/fake-office.js'), contentType: 'text/javascript' };
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.href === OFFICE_JS_CDN) {
      asked.push(url.href);
      return options.cdn === 'offline' ? route.abort('internetdisconnected') : route.fulfill(fake);
    }
    if (url.origin !== origin) return route.abort();
    if (url.pathname === '/addin/office/office.js') {
      asked.push(url.pathname);
      return route.fulfill(fake);
    }
    return route.continue();
  });
  return asked;
}
