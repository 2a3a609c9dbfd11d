// Builds the Excel add-in into dist/: the task pane and the ribbon's function file under dist/addin/, Office.js
// copied from the @microsoft/office-js package as the fallback the pane loads only when Microsoft's CDN cannot be
// reached (taskpane.html loads the CDN first), the icons, and dist/manifest.xml with its URLs pointing where dist/
// is published.
//
//   npm run build                 production build; ADDIN_PUBLIC_URL=https://primarie.example.ro/caf-plan
//                                 rewrites https://localhost:3000 in the manifest to that address
//   npm run dev-server            https://localhost:3000 with the Office dev certificates (office-addin-dev-certs)
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import CopyWebpackPlugin from 'copy-webpack-plugin';
import HtmlWebpackPlugin from 'html-webpack-plugin';

const root = path.dirname(fileURLToPath(import.meta.url));
/** The address manifest.xml is written for (the dev server); replaced in the production manifest. */
export const DEV_URL = 'https://localhost:3000';
const DEV_PORT = 3000;

/** ADDIN_PUBLIC_URL checked: Office loads add-ins over HTTPS only, and the manifest wants a plain base URL. */
export function publicUrl(value) {
  if (value === undefined || value.trim() === '') return null;
  let url;
  try {
    url = new URL(value.trim());
  } catch {
    throw new Error(`ADDIN_PUBLIC_URL is not a URL: ${value}`);
  }
  if (url.protocol !== 'https:') throw new Error(`ADDIN_PUBLIC_URL must use https (Office requires it): ${value}`);
  if (url.search || url.hash) throw new Error(`ADDIN_PUBLIC_URL must not have a query or fragment: ${value}`);
  return url.href.replace(/\/+$/, '');
}

/** The manifest with every development URL moved to `base`; AppDomain keeps only the origin. */
export function rewriteManifest(xml, base) {
  const origin = new URL(base).origin;
  return xml
    .replace(/<AppDomain>https:\/\/localhost:3000<\/AppDomain>/g, `<AppDomain>${origin}</AppDomain>`)
    .replaceAll(DEV_URL, base);
}

// Only what Excel needs from the 86 MB package: office.js loads the host file (excel-win32-16.01.js, ...) and its
// strings (ro-ro/office_strings.js, ...) from its own folder at run time, so they are copied beside it.
const OFFICE_JS_FILES = [
  'office.js',
  'excel*.js',
  'es6-promise.js',
  'o15apptofilemappingtable.js',
  'telemetry/*.js',
  'ariatelemetry/*.js',
  '*/office_strings.js',
];

/**
 * The localhost certificate Office trusts (office-addin-dev-certs: created on first use, its CA installed into the
 * system store, which asks for an administrator on Windows and macOS). Where the CA cannot be installed (Linux
 * without sudo, a locked-down PC) the generated files are still served, with a note on trusting the CA by hand.
 */
async function devCertificates() {
  const devCerts = await import('office-addin-dev-certs');
  const api = devCerts.default ?? devCerts;
  try {
    const { ca, key, cert } = await api.getHttpsServerOptions();
    return { ca, key, cert };
  } catch (error) {
    const dir = path.join(os.homedir(), '.office-addin-dev-certs');
    const files = ['ca.crt', 'localhost.key', 'localhost.crt'].map((f) => path.join(dir, f));
    if (!files.every((f) => existsSync(f))) throw error;
    console.warn(
      `\n[caf-plan] ${error instanceof Error ? error.message.split('\n')[0] : error}\n` +
        `[caf-plan] Serving the generated certificate anyway: trust ${files[0]} in your system or browser ` +
        '(docs/sideload.md), or Office will refuse https://localhost:3000.\n',
    );
    const [ca, key, cert] = files.map((f) => readFileSync(f));
    return { ca, key, cert };
  }
}

export default async (env = {}, argv = {}) => {
  const mode = argv.mode ?? 'production';
  const production = mode === 'production';
  const base = publicUrl(process.env.ADDIN_PUBLIC_URL);
  const officeDist = path.join(root, 'node_modules/@microsoft/office-js/dist');

  const config = {
    mode,
    context: root,
    devtool: production ? 'source-map' : 'eval-source-map',
    entry: {
      taskpane: './addin/taskpane/taskpane.ts',
      commands: './addin/commands/commands.ts',
    },
    output: {
      path: path.join(root, 'dist'),
      // Office caches add-in files hard: content hashes make a new release reach every user.
      filename: production ? 'addin/[name].[contenthash:8].js' : 'addin/[name].js',
      publicPath: 'auto',
      clean: true,
    },
    resolve: { extensions: ['.ts', '.js'] },
    module: {
      rules: [
        { test: /\.ts$/, exclude: /node_modules/, use: { loader: 'ts-loader', options: { transpileOnly: true } } },
      ],
    },
    performance: { hints: false },
    plugins: [
      new HtmlWebpackPlugin({
        filename: 'addin/taskpane.html',
        template: './addin/taskpane/taskpane.html',
        chunks: ['taskpane'],
      }),
      new HtmlWebpackPlugin({
        filename: 'addin/commands.html',
        template: './addin/commands/commands.html',
        chunks: ['commands'],
      }),
      new CopyWebpackPlugin({
        patterns: [
          { from: 'addin/taskpane/taskpane.css', to: 'addin/taskpane.css' },
          { from: 'addin/taskpane/office-fallback.js', to: 'addin/office-fallback.js' },
          { from: 'addin/help.html', to: 'addin/help.html' },
          { from: 'assets/icon-*.png', to: 'addin/assets/[name][ext]' },
          ...OFFICE_JS_FILES.map((pattern) => ({
            from: pattern,
            context: officeDist,
            to: 'addin/office/',
            globOptions: { ignore: ['**/*.debug.js'] },
            // Already minified by Microsoft; Terser would spend minutes on 15 MB for nothing.
            info: { minimized: true },
          })),
          {
            from: 'manifest.xml',
            to: 'manifest.xml',
            transform: (content) => (production && base ? rewriteManifest(content.toString('utf8'), base) : content),
          },
        ],
      }),
    ],
    devServer: {
      port: DEV_PORT,
      host: 'localhost',
      static: false,
      headers: { 'Access-Control-Allow-Origin': '*' },
      devMiddleware: { writeToDisk: false },
      client: { overlay: { warnings: false } },
    },
  };

  if (production && !base) {
    config.plugins.push({
      apply(compiler) {
        compiler.hooks.thisCompilation.tap('AddinPublicUrl', (compilation) => {
          compilation.warnings.push(
            new Error(
              'ADDIN_PUBLIC_URL is not set: dist/manifest.xml still points at https://localhost:3000. ' +
                'Set it to the HTTPS address dist/ is published at, e.g. ADDIN_PUBLIC_URL=https://primarie.example.ro/caf-plan',
            ),
          );
        });
      },
    });
  }

  if (env.WEBPACK_SERVE) {
    config.devServer.server = { type: 'https', options: await devCertificates() };
  }

  return config;
};
