// The add-in's service client against the real service and against servers that misbehave the ways networks do:
// what a department head reads (Romanian and English) for each failure, and which failures are retried.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CafError } from '../../plan/errors';
import { ServiceClient, normalizeServiceUrl } from '../../addin/service/client';
import { importSamplePlan, startKillableService, type KillableService } from './connect-support';

let s: KillableService;
let planId: string;

beforeAll(async () => {
  s = await startKillableService();
  planId = await importSamplePlan(s);
});
afterAll(async () => {
  await s?.close();
});

const client = (token: string, extra: Partial<ConstructorParameters<typeof ServiceClient>[0]> = {}): ServiceClient =>
  new ServiceClient({ baseUrl: s.url, token, retries: 2, backoffMs: 5, timeoutMs: 5_000, ...extra });

async function failure(promise: Promise<unknown>): Promise<CafError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CafError);
  return error as CafError;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

describe('the service address as typed', () => {
  it('adds https, keeps a path prefix, refuses plain http except on this computer', () => {
    expect(normalizeServiceUrl(' caf.primarie.ro ')).toBe('https://caf.primarie.ro');
    expect(normalizeServiceUrl('https://primarie.ro/caf/')).toBe('https://primarie.ro/caf');
    expect(normalizeServiceUrl('http://127.0.0.1:3000')).toBe('http://127.0.0.1:3000');
    expect(normalizeServiceUrl('http://localhost:3000/')).toBe('http://localhost:3000');
    for (const bad of ['http://caf.primarie.ro', 'ftp://x', 'https://u:p@x.ro', 'https://x.ro/?a=1', 'https://']) {
      expect(() => normalizeServiceUrl(bad), bad).toThrow(CafError);
    }
    let empty: unknown;
    try {
      normalizeServiceUrl('');
    } catch (e) {
      empty = e;
    }
    expect((empty as CafError).code).toBe('not-configured');
    expect((empty as CafError).messages.ro).toContain('Completați adresa serviciului');
  });
});

describe('answers of the real service', () => {
  it('checks the connection: health without a token, then who the token is', async () => {
    expect(await client('').health()).toMatchObject({ ok: true });
    expect(await client(s.coordinator).session()).toEqual({ role: 'coordinator', unit: null });
    expect(await client(s.unitToken('DMRU')).session()).toEqual({ role: 'unit', unit: 'DMRU' });
  });

  it('a wrong or revoked token: token-invalid, in both languages', async () => {
    const e = await failure(client('not-a-token').session());
    expect(e.code).toBe('token-invalid');
    expect(e.messages.ro).toContain('Tokenul de acces este greșit');
    expect(e.messages.en).toContain('access token is wrong');
    expect((await failure(client('').session())).code).toBe('token-missing');
  });

  it('a unit token on a coordinator route: the service’s own forbidden message', async () => {
    const e = await failure(client(s.unitToken('DMRU')).conflicts(planId));
    expect(e.code).toBe('forbidden');
    expect(e.status).toBe(403);
    expect(e.messages.ro).toBe('Doar coordonatorul CAF poate face aceasta.');
  });

  it('a 4xx with {code, message_ro, message_en} keeps the service’s code and messages', async () => {
    const e = await failure(client(s.coordinator).plan('no-such-plan'));
    expect(e.code).toBe('not-found');
    expect(e.messages).toEqual({
      ro: 'Planul „no-such-plan” nu există.',
      en: 'The plan "no-such-plan" does not exist.',
    });
    const wrongUnit = await failure(
      client(s.unitToken('DMRU')).submitRows(planId, {
        unit: 'SIC',
        baseRevision: 1,
        rows: [{ id: '1.1.1', values: { status: 'Realizat' } }],
      }),
    );
    expect(wrongUnit.code).toBe('submission-wrong-unit');
  });

  it('rows the service refuses: its own reason in both languages, not an unexpected error', async () => {
    const e = await failure(
      client(s.unitToken('DMRU')).submitRows(planId, {
        unit: 'DMRU',
        baseRevision: 1,
        rows: [{ id: '1'.repeat(65), values: { status: 'Realizat' } }],
      }),
    );
    expect(e.code).toBe('invalid-request');
    expect(e.messages.ro).toMatch(/^Date invalide: rows\.0\.id: /);
    expect(e.messages.en).toMatch(/^Invalid data: rows\.0\.id: /);
  });

  it('parses revisions and conflicts with their schemas', async () => {
    const info = await client(s.coordinator).plan(planId);
    const rev = await client(s.coordinator).revision(planId, info.currentRevision);
    expect(rev.plan.actions).toHaveLength(72);
    expect(await client(s.coordinator).conflicts(planId)).toEqual([]);
    const copy = await client(s.coordinator).copy(planId, 'DMRU');
    expect(copy.fileName).toBe(`${planId}-DMRU.xlsx`);
    expect(new Uint8Array(await copy.blob.arrayBuffer()).subarray(0, 2)).toEqual(new Uint8Array([0x50, 0x4b]));
  });
});

describe('a network that fails', () => {
  it('nothing listening: service-unreachable after the bounded retries', async () => {
    const dead = createServer();
    const host = await listen(dead);
    await new Promise((r) => dead.close(r));
    let attempts = 0;
    const c = new ServiceClient({
      baseUrl: `http://${host}`,
      token: 't',
      retries: 2,
      backoffMs: 5,
      fetch: (input, init) => {
        attempts++;
        return fetch(input, init);
      },
    });
    const e = await failure(c.health());
    expect(e.code).toBe('service-unreachable');
    expect(e.messages.ro).toContain('nu răspunde');
    expect(attempts).toBe(3);
  });

  it('the computer offline: said so', async () => {
    const c = new ServiceClient({
      baseUrl: 'http://127.0.0.1:9',
      token: 't',
      retries: 0,
      isOnline: () => false,
    });
    expect((await failure(c.health())).code).toBe('offline');
  });

  it('a service that never answers: timeout', async () => {
    const hang = createServer(() => undefined);
    const host = await listen(hang);
    try {
      const c = new ServiceClient({ baseUrl: `http://${host}`, token: 't', timeoutMs: 150, retries: 1, backoffMs: 5 });
      const e = await failure(c.health());
      expect(e.code).toBe('timeout');
    } finally {
      hang.closeAllConnections();
      await new Promise((r) => hang.close(r));
    }
  });

  it('503 twice then an answer: retried with growing waits, and succeeds', async () => {
    let calls = 0;
    const flaky = createServer((_req, res) => {
      calls++;
      if (calls < 3) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'busy', message_ro: 'ocupat', message_en: 'busy' }));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true }));
      }
    });
    const host = await listen(flaky);
    const waits: number[] = [];
    try {
      const c = new ServiceClient({
        baseUrl: `http://${host}`,
        token: 't',
        retries: 2,
        backoffMs: 100,
        sleep: async (ms) => void waits.push(ms),
      });
      expect(await c.health()).toEqual({ ok: true });
      expect(calls).toBe(3);
      expect(waits).toEqual([100, 200]);
    } finally {
      await new Promise((r) => flaky.close(r));
    }
  });

  it('a proxy’s HTML page instead of JSON: bad-answer, not a crash', async () => {
    const proxy = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>Captive portal</html>');
    });
    const host = await listen(proxy);
    try {
      const e = await failure(new ServiceClient({ baseUrl: `http://${host}`, token: 't' }).health());
      expect(e.code).toBe('bad-answer');
    } finally {
      await new Promise((r) => proxy.close(r));
    }
  });

  it('an untrusted (self-signed) certificate: certificate, not retried', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'caf-cert-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
      ],
      { cwd: dir, stdio: 'ignore', timeout: 30_000 },
    );
    const tls = createHttpsServer(
      { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) },
      (_req, res) => res.end('{"ok":true}'),
    );
    const host = await new Promise<string>((resolve) =>
      tls.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(tls.address() as AddressInfo).port}`)),
    );
    let attempts = 0;
    try {
      const c = new ServiceClient({
        baseUrl: `https://${host}`,
        token: 't',
        retries: 2,
        backoffMs: 5,
        fetch: (input, init) => {
          attempts++;
          return fetch(input, init);
        },
      });
      const e = await failure(c.health());
      expect(e.code).toBe('certificate');
      expect(e.messages.ro).toContain('Certificatul de securitate');
      expect(attempts).toBe(1);
    } finally {
      await new Promise((r) => tls.close(r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
