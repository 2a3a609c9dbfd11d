// The systemd unit in deploy/ (issue 19): what an IT department expects of it (its own user, a state directory,
// the file system read-only around it, no privilege gain, restarted on failure, settings from a file), and
// `systemd-analyze verify` run on the unit file itself inside a temporary root holding what it points to.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/seed';

const UNIT = path.join(repoRoot, 'deploy/caf-plan.service');
const ANALYZE = '/usr/bin/systemd-analyze';
const UNIT_DIRS = ['/usr/lib/systemd/system', '/lib/systemd/system'];
const unitDir = UNIT_DIRS.find((d) => existsSync(path.join(d, 'sysinit.target')));
const skip = !existsSync(ANALYZE)
  ? 'systemd-analyze is not installed here'
  : !unitDir
    ? 'no systemd unit directory with sysinit.target here'
    : '';
if (skip) console.log(`skipped systemd-analyze verify: ${skip}`);

const text = readFileSync(UNIT, 'utf8');
const settings = (section: string): Map<string, string> => {
  const body = text.split(/^\[/m).find((s) => s.startsWith(`${section}]`)) ?? '';
  return new Map(
    body
      .split('\n')
      .filter((l) => /^[A-Za-z]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as [string, string]),
  );
};

describe('deploy/caf-plan.service', () => {
  it('runs the service under its own user with its data in the state directory, hardened, restarted on failure', () => {
    const s = settings('Service');
    expect(s.get('User')).toBe('caf-plan');
    expect(s.get('Group')).toBe('caf-plan');
    expect(s.get('StateDirectory')).toBe('caf-plan');
    expect(s.get('Environment')).toContain('CAF_DATA_DIR=/var/lib/caf-plan');
    expect(s.get('EnvironmentFile')).toBe('/etc/caf-plan/caf-plan.env');
    expect(s.get('ProtectSystem')).toBe('strict');
    expect(s.get('NoNewPrivileges')).toBe('yes');
    expect(s.get('Restart')).toBe('on-failure');
    expect(s.get('ExecStart')).toMatch(/^\/usr\/bin\/node \/opt\/caf-plan\/bin\/caf-plan\.mjs serve\b/);
    expect(settings('Install').get('WantedBy')).toBe('multi-user.target');
  });

  describe.skipIf(Boolean(skip))('systemd-analyze verify', () => {
    let root: string;
    beforeAll(() => {
      // A root with the host's system units, the unit under test, and the programs its ExecStart names.
      root = mkdtempSync(path.join(os.tmpdir(), 'caf-systemd-'));
      mkdirSync(path.join(root, 'usr/lib/systemd'), { recursive: true });
      symlinkSync(unitDir!, path.join(root, 'usr/lib/systemd/system'));
      mkdirSync(path.join(root, 'etc/systemd/system'), { recursive: true });
      mkdirSync(path.join(root, 'usr/bin'), { recursive: true });
      writeFileSync(path.join(root, 'usr/bin/node'), '#!/bin/sh\n');
      chmodSync(path.join(root, 'usr/bin/node'), 0o755);
      mkdirSync(path.join(root, 'opt/caf-plan/bin'), { recursive: true });
      copyFileSync(path.join(repoRoot, 'bin/caf-plan.mjs'), path.join(root, 'opt/caf-plan/bin/caf-plan.mjs'));
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    const verify = (unitText: string): { status: number | null; output: string } => {
      const file = path.join(root, 'etc/systemd/system/caf-plan.service');
      writeFileSync(file, unitText);
      const r = spawnSync(ANALYZE, ['verify', `--root=${root}`, file], { encoding: 'utf8' });
      // Aliases among the host's own units (kmod.service -> ...) do not resolve inside the temporary root: noise
      // about other units, dropped; anything about ours is kept.
      const output = (r.stdout + r.stderr)
        .split('\n')
        .filter((l) => l.trim() !== '' && !(/^Failed to resolve symlink /.test(l) && !l.includes('caf-plan')))
        .join('\n');
      return { status: r.status, output };
    };

    it('passes without a warning', () => {
      expect(verify(text)).toEqual({ status: 0, output: '' });
    });

    it('would catch a mistake in it (the check can fail)', () => {
      const typo = verify(text.replace('ProtectSystem=strict', 'ProtectSystem=stric'));
      expect(typo.output).toMatch(/protect system value/i);
      const missing = verify(text.replace('/usr/bin/node', '/usr/bin/nodejs-missing'));
      expect(missing.status).not.toBe(0);
      expect(missing.output).toMatch(/not executable/);
    });
  });
});
