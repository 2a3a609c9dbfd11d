// Start-up mistakes, each one clear line and nothing made by mistake: `token create` against a folder with no
// database says so (it made a new empty database there before, whose token the running service refused); --help
// names --data-dir as the README does.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/seed';

const cli = path.join(repoRoot, 'bin/caf-plan.mjs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'caf-first-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('first start mistakes', () => {
  it('token create against a folder with no database says so and creates nothing', () => {
    const empty = path.join(dir, 'elsewhere');
    for (const args of [
      ['--data-dir', empty],
      ['--data', empty],
    ]) {
      const run = spawnSync(process.execPath, [cli, 'token', 'create', '--coordinator', ...args], { encoding: 'utf8' });
      expect(run.status).toBe(2);
      expect(run.stdout).not.toMatch(/caf_[A-Za-z0-9_-]{43}/);
      expect(run.stderr).toContain(`Nu există o bază de date caf-plan în ${empty}.`);
      expect(run.stderr).toContain('--data-dir');
      expect(run.stderr).toMatch(/^no-database: /m);
    }
    // Through the environment too, and nothing was made there.
    const env = spawnSync(process.execPath, [cli, 'token', 'create', '--unit', 'DMRU'], {
      encoding: 'utf8',
      env: { ...process.env, CAF_DATA_DIR: empty },
    });
    expect(env.status).toBe(2);
    expect(env.stderr).toContain(`There is no caf-plan database in ${empty}.`);
    expect(existsSync(empty) ? readdirSync(empty) : []).toEqual([]);
  });

  it('--help names --data-dir', () => {
    const run = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
    expect(run.stdout).toContain('--data-dir DIR');
    expect(run.stdout).not.toMatch(/--data DIR/);
  });
});
