// `npm start` (after `npm run build`): the service on https://localhost:3000 with the Office development
// certificate, so the manifest's URLs work as they are, the sample plan loaded on first start (data in ./data),
// and how to sideload the add-in printed. Without a certificate it falls back to plain HTTP and says so:
// the coordinator's page and the API work, Excel needs HTTPS for the add-in.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../service/cli';

const CERT_DIR = path.join(os.homedir(), '.office-addin-dev-certs');
const CERT = path.join(CERT_DIR, 'localhost.crt');
const KEY = path.join(CERT_DIR, 'localhost.key');

/** office-addin-dev-certs creates the certificate and tries to install its CA (asks for an administrator). */
async function ensureDevCertificate(): Promise<boolean> {
  if (existsSync(CERT) && existsSync(KEY)) return true;
  try {
    // A CommonJS package: Node's ESM loader puts its functions on `default`, tsx on the namespace itself.
    type DevCerts = { getHttpsServerOptions(): Promise<unknown> };
    const mod = (await import('office-addin-dev-certs')) as unknown as DevCerts & { default?: DevCerts };
    const api = mod.default ?? mod;
    await Promise.race([
      api.getHttpsServerOptions(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 60_000)),
    ]);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    process.stdout.write(`[caf-plan] Certificatul de dezvoltare Office / Office development certificate: ${reason}\n`);
  }
  return existsSync(CERT) && existsSync(KEY);
}

const https = process.env.CAF_TLS_CERT ? true : await ensureDevCertificate();
const args = ['serve', ...process.argv.slice(2)];
if (https && !process.env.CAF_TLS_CERT) args.push('--tls-cert', CERT, '--tls-key', KEY);

const scheme = https ? 'https' : 'http';
const port = process.env.CAF_PORT ?? process.env.PORT ?? '3000';
process.stdout.write(
  [
    '',
    'caf-plan: add-in-ul Excel / the Excel add-in',
    `  manifest: ${scheme}://localhost:${port}/manifest.xml   (dist/manifest.xml)`,
    '  Excel pe Windows sau Mac / Excel on Windows or Mac:  npm run sideload',
    '  Excel pe web / Excel on the web:  npm run sideload:web -- --document <URL-ul registrului / workbook URL>',
    '  sau manual / or by hand: Acasă > Programe de completare > Încărcați programul de completare > manifest.xml',
    '  pas cu pas / step by step: docs/sideload.md',
    ...(https
      ? [
          `  certificat / certificate: ${CERT}; dacă Excel nu îl acceptă, aveți încredere în ${path.join(CERT_DIR, 'ca.crt')}`,
          `  (if Excel refuses it, trust ${path.join(CERT_DIR, 'ca.crt')}: docs/sideload.md)`,
        ]
      : [
          '  ATENȚIE: fără certificat, serviciul merge pe HTTP; Excel încarcă add-in-ul doar prin HTTPS.',
          '  WARNING: no certificate, the service runs on HTTP; Excel loads add-ins over HTTPS only.',
        ]),
  ].join('\n') + '\n\n',
);
process.exitCode = await main(args);
