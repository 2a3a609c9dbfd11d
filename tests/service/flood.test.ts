// One careless upload must not flood the service (issue 14): the unit's own copy with 75,000 junk rows added (a few
// MB sent, tens of MB unzipped, inside the size limits) and 10,000 unknown ids in one JSON request are refused before
// anything but the audit line is stored, and the service process, measured from outside (its peak RSS, VmHWM),
// stays under 300 MB. The padded copy is made by Python's own zipfile, not by our writer.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/seed';
import { planOf, XLSX } from './support';

const dir = mkdtempSync(path.join(os.tmpdir(), 'caf-flood-'));
let child: ChildProcess | undefined;
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Adds `count` rows after the last row of the plan sheet: an id and a long action text each. */
const PAD = String.raw`
import re, sys, zipfile
src, out, sheet, id_col, action_col, count = sys.argv[1:7]
count = int(count)
with zipfile.ZipFile(src) as z:
    parts = {n: z.read(n) for n in z.namelist()}
xml = parts[sheet].decode('utf-8')
last = max(int(r) for r in re.findall(r'<(?:\w+:)?row[^>]*\br="(\d+)"', xml))
text = 'Rand adaugat ' + 'x' * 480
rows = []
for i in range(count):
    r = last + 1 + i
    rows.append(f'<row r="{r}"><c r="{id_col}{r}" t="inlineStr"><is><t>9.{i // 999 + 10}.{i % 999 + 1}</t></is></c>'
                f'<c r="{action_col}{r}" t="inlineStr"><is><t>{text} {i}</t></is></c></row>')
end = re.search(r'</(?:\w+:)?sheetData>', xml)
xml = xml[:end.start()] + ''.join(rows) + xml[end.start():]
xml = re.sub(r'<(\w+:)?dimension ref="[^"]*"\s*/>', '', xml)
parts[sheet] = xml.encode('utf-8')
with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
    for n, b in parts.items():
        z.writestr(n, b)
print(len(parts[sheet]))
`;

const letter = (col: number): string =>
  col < 26 ? String.fromCharCode(65 + col) : letter(Math.floor(col / 26) - 1) + String.fromCharCode(65 + (col % 26));

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

    // The plan sheet is by far the copy's largest worksheet part (the metadata sheet holds a few cells).
    const listing = spawnSync('/usr/bin/python3', [
      '-c',
      'import sys,zipfile\nfor i in zipfile.ZipFile(sys.argv[1]).infolist(): print(i.filename, i.file_size)',
      writeCopy(copy),
    ]);
    const sheet = listing.stdout
      .toString()
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .filter(([name]) => /^xl\/worksheets\/[^/]+\.xml$/.test(name!))
      .sort((a, b) => Number(b[1]) - Number(a[1]))[0]![0]!;
    const padded = path.join(dir, 'padded.xlsx');
    const made = spawnSync('/usr/bin/python3', [
      '-c',
      PAD,
      path.join(dir, 'copy.xlsx'),
      padded,
      sheet,
      letter(plan.columns.id!),
      letter(plan.columns.action!),
      '75000',
    ]);
    expect(made.status, made.stderr.toString()).toBe(0);
    const unzippedMb = Number(made.stdout.toString().trim()) / 1024 / 1024;
    const sentMb = statSync(padded).size / 1024 / 1024;
    expect(sentMb).toBeLessThan(10); // inside the upload limit
    expect(unzippedMb).toBeGreaterThan(35);

    const xlsx = await post(url, token, `/api/plans/${planId}/submissions`, readFileSync(padded), XLSX);
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

function writeCopy(bytes: Uint8Array): string {
  const file = path.join(dir, 'copy.xlsx');
  writeFileSync(file, bytes);
  return file;
}
