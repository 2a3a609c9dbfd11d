// Access as a careless or hostile client tries it (issue 14): bad tokens sent from the coordinator's own address or
// through the reverse proxy must not lock the coordinator out; the page's cookie is a server-side session (expiring,
// revocable, Secure when the client came by HTTPS), never the API token; page file names are looked up as own names.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { configWith, type Config } from '../../service/config';
import { createApp } from '../../service/http/app';
import { coordinatorPage } from '../../service/http/page';
import { MergeRunner } from '../../service/jobs/merge';
import { Store } from '../../service/store/store';
import { sampleBytes, XLSX } from './support';

interface Service {
  url: string;
  store: Store;
  coordinator: string;
  close(): Promise<void>;
}

const open: Service[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

/** The service as `serve` mounts it: the API and the page (the page's credential path is under test too). */
async function start(overrides: Partial<Config> = {}): Promise<Service> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'caf-access-'));
  const config = configWith({ dataDir, logLevel: 'silent', rateLimitPerMinute: 100_000, ...overrides });
  const store = new Store(dataDir);
  const app = createApp({
    store,
    config,
    merges: new MergeRunner(store),
    logger: pino({ level: 'silent' }),
    routers: [{ path: '/', router: coordinatorPage({ store }) }],
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const service: Service = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    store,
    coordinator: store.createToken({ role: 'coordinator' }).token,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  open.push(service);
  return service;
}

const bad = (i: number): string => `caf_${String(i).padStart(43, 'x')}`;

async function get(s: Service, at: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(s.url + at, { headers });
}

async function signIn(s: Service, token: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${s.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ token }),
  });
}

describe('lockout after failed tokens', () => {
  it('60 bad tokens from the coordinator’s address: they get 429, the valid token, sign-in and open data do not', async () => {
    const s = await start();
    const imported = await fetch(`${s.url}/api/plans?id=PS1-CAF-2022`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.coordinator}`, 'content-type': XLSX },
      body: sampleBytes() as BodyInit,
    });
    expect(imported.status).toBe(201);
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) {
      statuses.push((await get(s, '/api/plans', { authorization: `Bearer ${bad(i)}` })).status);
    }
    // The default limit is 50 failures per 15 minutes.
    expect(statuses.slice(0, 50).every((x) => x === 401)).toBe(true);
    expect(statuses.slice(50).every((x) => x === 429)).toBe(true);
    // A bad sign-in and a bad page cookie from there are held back too: every credential path counts.
    expect((await signIn(s, bad(99))).status).toBe(429);
    expect((await get(s, '/page-data/session', { cookie: `caf_session=cafs_${'y'.repeat(43)}` })).status).toBe(429);

    // The coordinator, from the same address, is never refused for it.
    expect((await get(s, '/api/plans', { authorization: `Bearer ${s.coordinator}` })).status).toBe(200);
    const login = await signIn(s, s.coordinator);
    expect(login.status).toBe(200);
    const jar = login.headers.get('set-cookie')!.split(';')[0]!;
    expect((await get(s, '/page-data/session', { cookie: jar })).status).toBe(200);
    expect((await get(s, '/api/plans/PS1-CAF-2022/progress.json')).status).toBe(200);
  });

  it('the same bad token is locked out from every address; others’ addresses are not', async () => {
    const s = await start({ trustProxy: 'loopback', authFailuresPer15Min: 5 });
    const one = bad(1);
    for (let i = 0; i < 5; i++) {
      const from = { authorization: `Bearer ${one}`, 'x-forwarded-for': `198.51.100.${i + 1}` };
      expect((await get(s, '/api/plans', from)).status).toBe(401);
    }
    expect(
      (await get(s, '/api/plans', { authorization: `Bearer ${one}`, 'x-forwarded-for': '192.0.2.50' })).status,
    ).toBe(429);
    expect(
      (await get(s, '/api/plans', { authorization: `Bearer ${bad(2)}`, 'x-forwarded-for': '192.0.2.50' })).status,
    ).toBe(401);
  });

  it('through the reverse proxy (CAF_TRUST_PROXY): one client’s 60 bad tokens lock that client only', async () => {
    const s = await start({ trustProxy: 'loopback' });
    const via = (client: string, token: string) => ({ authorization: `Bearer ${token}`, 'x-forwarded-for': client });
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await get(s, '/api/plans', via('203.0.113.9', bad(i)))).status);
    expect(statuses.slice(50).every((x) => x === 429)).toBe(true);
    // Another client behind the same proxy: a wrong token is a plain 401, not a lockout.
    expect((await get(s, '/api/plans', via('198.51.100.7', bad(1000)))).status).toBe(401);
    // The coordinator, from the locked client's address or any other, is let in.
    expect((await get(s, '/api/plans', via('203.0.113.9', s.coordinator))).status).toBe(200);
    expect((await get(s, '/api/plans', via('198.51.100.7', s.coordinator))).status).toBe(200);
    expect((await signIn(s, s.coordinator, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(200);
  });
});

describe('page sessions', () => {
  it('the cookie holds a session id, not the token; sign-out ends it on the server', async () => {
    const s = await start();
    const login = await signIn(s, s.coordinator);
    expect(await login.json()).toEqual({ role: 'coordinator', unit: null });
    const cookie = login.headers.get('set-cookie')!;
    const value = /caf_session=([^;]+)/.exec(cookie)![1]!;
    expect(value).not.toContain(s.coordinator);
    expect(decodeURIComponent(value)).not.toBe(s.coordinator);
    expect(cookie).toMatch(/Expires=/i);
    expect(cookie).not.toMatch(/;\s*Secure/i); // plain HTTP, no proxy
    const jar = `caf_session=${value}`;
    expect(await (await get(s, '/api/session', { cookie: jar })).json()).toMatchObject({ role: 'coordinator' });
    expect(await (await get(s, '/page-data/session', { cookie: jar })).json()).toEqual({
      role: 'coordinator',
      unit: null,
    });

    const out = await fetch(`${s.url}/api/session`, { method: 'DELETE', headers: { cookie: jar, 'x-caf-csrf': '1' } });
    expect(out.status).toBe(204);
    // The old cookie, replayed, is worth nothing now.
    expect((await get(s, '/api/session', { cookie: jar })).status).toBe(401);
    expect(await (await get(s, '/page-data/session', { cookie: jar })).json()).toEqual({ role: null, unit: null });
  });

  it('a unit signs in with its unit token: the session carries the role and the unit; it expires', async () => {
    const s = await start();
    const dmru = s.store.createToken({ role: 'unit', unit: 'DMRU' }).token;
    const login = await signIn(s, dmru);
    expect(await login.json()).toEqual({ role: 'unit', unit: 'DMRU' });
    const jar = login.headers.get('set-cookie')!.split(';')[0]!;
    expect(await (await get(s, '/api/session', { cookie: jar })).json()).toMatchObject({ role: 'unit', unit: 'DMRU' });
    // Twelve hours later (the default), the server no longer knows it, whatever the browser keeps.
    s.store.db.prepare('UPDATE sessions SET expires_at = ?').run(new Date(Date.now() - 1000).toISOString());
    expect((await get(s, '/api/session', { cookie: jar })).status).toBe(401);
  });

  it('a revoked token’s sessions end with it', async () => {
    const s = await start();
    const { token, record } = s.store.createToken({ role: 'coordinator', label: 'laptop' });
    const jar = (await signIn(s, token)).headers.get('set-cookie')!.split(';')[0]!;
    expect((await get(s, '/api/session', { cookie: jar })).status).toBe(200);
    s.store.revokeToken(record.id);
    expect((await get(s, '/api/session', { cookie: jar })).status).toBe(401);
  });

  it('is Secure when the client came by HTTPS through the proxy, or the public origin is HTTPS', async () => {
    const proxied = await start({ trustProxy: 'loopback' });
    const https = await signIn(proxied, proxied.coordinator, { 'x-forwarded-proto': 'https' });
    expect(https.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
    const public_ = await start({ publicOrigin: 'https://caf.primarie.example' });
    const login = await signIn(public_, public_.coordinator, { origin: 'https://caf.primarie.example' });
    expect(login.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
  });
});

describe('page files', () => {
  it('answers 404, not 500, for names every object has', async () => {
    const s = await start();
    for (const name of ['__proto__', 'constructor', 'hasOwnProperty', 'toString']) {
      const res = await get(s, `/page/${name}`);
      expect(res.status, name).toBe(404);
    }
    expect((await get(s, '/page/app.js')).status).toBe(200);
  });
});
