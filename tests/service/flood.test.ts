// One careless upload must not flood the service (issue 14): the unit's own copy with 75,000 junk rows added (a few
// MB sent, tens of MB unzipped, inside the size limits) and 10,000 unknown ids in one JSON request are refused before
// anything but the audit line is stored, and the service process, measured from outside (its peak RSS, VmHWM),
// stays under 300 MB.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { padCopy } from '../support/flood';
import { repoRoot } from '../support/seed';
import { planOf, XLSX } from './support';

const dir = mkdtempSync(path.join(os.tmpdir(), 'caf-flood-'));
let child: ChildProcess | undefined;
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

describe('a flood from one unit', () => {
  it('75,000 junk rows in the copy and 10,000 unknown ids in JSON: refused, nothing stored, memory under 300 MB', async () => {
    const proc = spawn(
      process.execPath,
      [path.join(repoRoot, 'bin/caf-plan.mjs'), 'serve', '--port', '0', '--data-dir', path.join(dir, 'data')],
      { cwd: repoRoot, env: { ...process.env, CAF_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    let out = '';
    const seen = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`service did not start:\n${out}`)), 60_000);
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (/caf_[A-Za-z0-9_-]{43}/.test(out) && /listens at/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    proc.stderr!.resume();
    await seen;
    const url = /listens at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
    const token = /(caf_[A-Za-z0-9_-]{43})/.exec(out)![1]!;
    const call = (method: string, at: string, body?: Uint8Array | string, type?: string) =>
      fetch(url + at, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(type ? { 'content-type': type } : {}) },
        ...(body ? { body: body as BodyInit } : {}),
      });
    const planId = ((await (await call('GET', '/api/plans')).json()) as { id: string }[])[0]!.id;
    const copy = new Uint8Array(await (await call('GET', `/api/plans/${planId}/copies/DMRU.xlsx`)).arrayBuffer());
    const plan = await planOf(copy);

    const { bytes: padded, sheetBytes } = padCopy(copy, plan, 75_000, dir);
    const unzippedMb = sheetBytes / 1024 / 1024;
    const sentMb = padded.length / 1024 / 1024;
    expect(sentMb).toBeLessThan(10); // inside the upload limit
    expect(unzippedMb).toBeGreaterThan(35);

    const xlsx = await post(url, token, `/api/plans/${planId}/submissions`, Buffer.from(padded), XLSX);
    expect(xlsx.status).toBe(422);
    expect(JSON.parse(xlsx.body)).toMatchObject({ code: 'submission-too-many-rows' });

    const rows = Array.from({ length: 10_000 }, (_, i) => ({ id: `necunoscut-${i}`, values: { status: 'În curs' } }));
    const json = JSON.stringify({ unit: 'DMRU', baseRevision: 1, rows });
    const refused = await post(url, token, `/api/plans/${planId}/submissions`, Buffer.from(json), 'application/json');
    expect(refused.status).toBe(422);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'submission-too-many-rows' });

    expect((await (await call('GET', `/api/plans/${planId}/submissions`)).json()) as unknown[]).toEqual([]);
    const audit = (await (await call('GET', '/api/audit?limit=5')).json()) as { action: string }[];
    expect(audit.filter((a) => a.action === 'submission.refused')).toHaveLength(2);
    const merge = await call('POST', `/api/plans/${planId}/merges`);
    expect(((await merge.json()) as { status: string }).status).toBe('empty');

    const peak = peakRssMb(proc.pid!);
    console.log(
      `flood: copy ${sentMb.toFixed(1)} MB sent, ${unzippedMb.toFixed(0)} MB unzipped; service peak RSS ${peak.toFixed(0)} MB`,
    );
    expect(peak).toBeLessThan(300);
  }, 180_000);
});

/**
 * A POST on a connection of its own: the uploads come after seconds of work on the padded file, longer than the
 * service keeps an idle connection open (5 s), and a pooled socket closed meanwhile fails a non-idempotent request.
 */
function post(url: string, token: string, at: string, body: Buffer, type: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(
      url + at,
      {
        method: 'POST',
        agent: false,
        headers: { authorization: `Bearer ${token}`, 'content-type': type, 'content-length': body.length },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
