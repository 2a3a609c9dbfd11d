// `caf-plan serve` and `caf-plan token` as a city hall's IT person runs them: first start imports the sample and
// prints a coordinator token once; HTTPS when a certificate is configured; the add-in and its manifest served with
// headers that let Office frame them; SIGTERM stops cleanly; bad settings are refused with a clear message.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/seed';

const dir = mkdtempSync(path.join(os.tmpdir(), 'caf-serve-'));
const dataDir = path.join(dir, 'data');
const cli = path.join(repoRoot, 'bin/caf-plan.mjs');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function serve(args: string[]): Promise<{ url: string; out: () => string; stop: () => Promise<number | null> }> {
  const proc = spawn(process.execPath, [cli, 'serve', '--port', '0', '--data-dir', dataDir, ...args], {
    cwd: repoRoot,
    env: { ...process.env, CAF_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start:\n${out}\n${err}`)), 60_000);
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listens at (https?:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1]!,
          out: () => out,
          stop: async () => {
            proc.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
  });
}

function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { rejectUnauthorized: false, headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

describe('caf-plan serve', () => {
  it('first start over HTTPS: sample plan, a token printed once, the add-in served for Office', async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    // The layout `npm run build` writes: dist/manifest.xml, whose URLs point at dist/addin/*.
    const addin = path.join(dir, 'dist');
    mkdirSync(path.join(addin, 'addin'), { recursive: true });
    writeFileSync(path.join(addin, 'addin', 'taskpane.html'), '<!doctype html><title>CAF</title>');
    writeFileSync(path.join(addin, 'manifest.xml'), '<?xml version="1.0"?><OfficeApp/>');

    const first = await serve([
      '--tls-cert',
      path.join(dir, 'cert.pem'),
      '--tls-key',
      path.join(dir, 'key.pem'),
      '--addin-dir',
      addin,
    ]);
    expect(first.url).toMatch(/^https:/);
    const token = /^\s+(caf_[A-Za-z0-9_-]{43})$/m.exec(first.out())![1]!;
    expect(first.out()).toMatch(/plan-sector1 \(72/);
    const plans = await get(`${first.url}/api/plans`, { authorization: `Bearer ${token}` });
    expect(plans.status).toBe(200);
    expect(JSON.parse(plans.body)).toEqual([expect.objectContaining({ id: 'plan-sector1', currentRevision: 1 })]);
    const manifest = await get(`${first.url}/manifest.xml`);
    expect(manifest.status).toBe(200);
    expect(manifest.body).toContain('OfficeApp');
    const pane = await get(`${first.url}/addin/taskpane.html`);
    expect(pane.status).toBe(200);
    expect(String(pane.headers['content-security-policy'])).toContain('frame-ancestors');
    expect(String(pane.headers['content-security-policy'])).toContain('office.com');
    expect(pane.headers['x-frame-options']).toBeUndefined();
    const page = await get(`${first.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(await first.stop()).toBe(0);

    // A unit token from the command line, then a second start: no new coordinator token is printed.
    const created = spawnSync(process.execPath, [cli, 'token', 'create', '--unit', 'dmru', '--data-dir', dataDir], {
      encoding: 'utf8',
    });
    expect(created.status).toBe(0);
    const unitToken = /^\s+(caf_[A-Za-z0-9_-]{43})$/m.exec(created.stdout)![1]!;
    expect(created.stdout).toContain('DMRU');
    const both = spawnSync(
      process.execPath,
      [cli, 'token', 'create', '--unit', 'DMRU', '--coordinator', '--data-dir', dataDir],
      { encoding: 'utf8' },
    );
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/Folosire[\s\S]*Usage/);

    const second = await serve([]);
    expect(second.url).toMatch(/^http:/);
    expect(second.out()).not.toMatch(/caf_[A-Za-z0-9_-]{43}/);
    const copy = await fetch(`${second.url}/api/plans/plan-sector1/copies/DMRU.xlsx`, {
      headers: { authorization: `Bearer ${unitToken}` },
    });
    expect(copy.status).toBe(200);
    expect(await second.stop()).toBe(0);
  });

  it('refuses a bad setting with a clear message and exit code 2', () => {
    const run = spawnSync(process.execPath, [cli, 'serve', '--data-dir', dataDir], {
      encoding: 'utf8',
      env: { ...process.env, MERGE_CRON: 'la miezul nopții' },
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('mergeCron');
    expect(run.stderr).not.toMatch(/\bat .+:\d+:\d+/);
  });
});
