// The add-in manifest as Office will read it: valid against Microsoft's published XSD schemas, both as written for
// the dev server and as `npm run build` rewrites it for the city hall's server; every URL it declares is a file
// the build produced, and every icon has the size the manifest promises.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ICON_SIZES, iconPng } from '../../scripts/make-icons';
import { publicUrl, rewriteManifest } from '../../webpack.config.js';
import { repoRoot } from '../support/seed';
import { hasXmllint, skipReason } from '../support/tools';
import { buildAddin } from './build';

const schema = path.resolve(repoRoot, '../shared/schemas/office-addin-manifest/OfficeAppManifestV1_1.xsd');
const canValidate = hasXmllint && existsSync(schema);
const whyNot = !hasXmllint ? skipReason('xmllint') : `the manifest schemas are not at ${schema}: skipped`;
const PUBLIC_URL = 'https://primarie.example.ro/caf-plan';

function xmllint(file: string): { ok: boolean; output: string } {
  // xmllint reports "file validates" / the errors on stderr.
  const r = spawnSync('xmllint', ['--noout', '--schema', schema, file], { encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

/** Every URL-valued attribute and element of the manifest. */
function manifestUrls(xml: string): string[] {
  const attrs = [...xml.matchAll(/DefaultValue="(https?:\/\/[^"]+)"/g)].map((m) => m[1]!);
  const elements = [...xml.matchAll(/<AppDomain>([^<]+)<\/AppDomain>/g)].map((m) => m[1]!);
  return [...attrs, ...elements];
}

/** resid -> URL of the bt:Image resources, and the sizes each button/group asks for. */
function iconUses(xml: string): { size: number; url: string }[] {
  const images = new Map(
    [...xml.matchAll(/<bt:Image id="([^"]+)" DefaultValue="([^"]+)"/g)].map((m) => [m[1]!, m[2]!]),
  );
  const uses = [...xml.matchAll(/<bt:Image size="(\d+)" resid="([^"]+)"/g)].map((m) => ({
    size: Number(m[1]),
    url: images.get(m[2]!) ?? `missing resource ${m[2]}`,
  }));
  const icon = /<IconUrl DefaultValue="([^"]+)"/.exec(xml)?.[1];
  const hiRes = /<HighResolutionIconUrl DefaultValue="([^"]+)"/.exec(xml)?.[1];
  if (icon) uses.push({ size: 64, url: icon });
  if (hiRes) uses.push({ size: 128, url: hiRes });
  return uses;
}

function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

const devXml = readFileSync(path.join(repoRoot, 'manifest.xml'), 'utf8');

describe('development manifest (manifest.xml)', () => {
  it.skipIf(!canValidate)('validates against the Office add-in manifest XSD', () => {
    const result = xmllint(path.join(repoRoot, 'manifest.xml'));
    expect(result.output).toContain('validates');
    expect(result.ok).toBe(true);
  });

  it.runIf(!canValidate)(`cannot be validated here (${whyNot})`, () => {
    console.log(`manifest XSD validation: ${whyNot}`);
  });

  it.skipIf(!canValidate)('would be rejected if it were malformed (the schema check is real)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'caf-manifest-'));
    try {
      const bad = path.join(dir, 'bad.xml');
      writeFileSync(
        bad,
        devXml.replace('<Permissions>ReadWriteDocument</Permissions>', '<Permissions>Everything</Permissions>'),
      );
      expect(xmllint(bad).ok).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is an Excel task pane that can write the workbook, opened from a button on the Home tab', () => {
    expect(devXml).toMatch(/xsi:type="TaskPaneApp"/);
    expect(devXml).toMatch(/<Host Name="Workbook"\/>/);
    expect(devXml).toMatch(/<Permissions>ReadWriteDocument<\/Permissions>/);
    expect(devXml).toMatch(/<Id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}<\/Id>/);
    expect(devXml).toMatch(/<OfficeTab id="TabHome">[\s\S]*<Action xsi:type="ShowTaskpane">/);
    expect(devXml).toMatch(/<DefaultLocale>ro-RO<\/DefaultLocale>/);
  });

  it('points every URL at the dev server on https://localhost:3000', () => {
    const urls = manifestUrls(devXml);
    expect(urls.length).toBeGreaterThan(8);
    for (const url of urls) expect(url.startsWith('https://localhost:3000')).toBe(true);
  });

  it('declares icons the assets folder has, at the sizes it declares (16, 32, 80 for the ribbon; 64, 128)', () => {
    const uses = iconUses(devXml);
    expect(new Set(uses.map((u) => u.size))).toEqual(new Set([16, 32, 64, 80, 128]));
    for (const { size, url } of uses) {
      const file = path.join(repoRoot, 'assets', path.basename(new URL(url).pathname));
      expect(pngSize(file)).toEqual({ width: size, height: size });
    }
  });

  it('ships the icons scripts/make-icons.ts draws (run it after changing the mark)', () => {
    for (const size of ICON_SIZES) {
      expect(readFileSync(path.join(repoRoot, `assets/icon-${size}.png`)).equals(iconPng(size))).toBe(true);
    }
  });
});

describe('production manifest (dist/manifest.xml of `npm run build`)', () => {
  let dist: string;
  let prodXml: string;

  beforeAll(async () => {
    dist = mkdtempSync(path.join(os.tmpdir(), 'caf-addin-prod-'));
    await buildAddin({ mode: 'production', outDir: dist, publicUrl: PUBLIC_URL });
    prodXml = readFileSync(path.join(dist, 'manifest.xml'), 'utf8');
  });

  afterAll(() => {
    if (dist) rmSync(dist, { recursive: true, force: true });
  });

  it.skipIf(!canValidate)('validates against the Office add-in manifest XSD', () => {
    const result = xmllint(path.join(dist, 'manifest.xml'));
    expect(result.output).toContain('validates');
    expect(result.ok).toBe(true);
  });

  it('has no localhost left: every URL is on the public server, AppDomain is its origin', () => {
    expect(prodXml).not.toMatch(/localhost/i);
    const urls = manifestUrls(prodXml);
    expect(urls.length).toBe(manifestUrls(devXml).length);
    for (const url of urls.filter((u) => u !== 'https://primarie.example.ro')) {
      expect(url.startsWith(`${PUBLIC_URL}/`)).toBe(true);
    }
    expect(prodXml).toContain('<AppDomain>https://primarie.example.ro</AppDomain>');
  });

  it('declares only files the build produced (pane, function file, help, icons at their sizes)', () => {
    const files = manifestUrls(prodXml).filter((u) => u.startsWith(`${PUBLIC_URL}/`));
    for (const url of files) {
      const file = path.join(dist, url.slice(PUBLIC_URL.length + 1));
      expect(existsSync(file), `${url} -> ${file}`).toBe(true);
    }
    for (const { size, url } of iconUses(prodXml)) {
      expect(pngSize(path.join(dist, url.slice(PUBLIC_URL.length + 1)))).toEqual({ width: size, height: size });
    }
  });

  it("loads Office.js from Microsoft's CDN in the pane, the bundled copy only when the CDN failed", () => {
    const html = readFileSync(path.join(dist, 'addin/taskpane.html'), 'utf8');
    const cdn = html.search(/<script src="?https:\/\/appsforoffice\.microsoft\.com\/lib\/1\/hosted\/office\.js"?>/);
    const fallback = html.search(/<script src="?office-fallback\.js"?>/);
    expect(cdn).toBeGreaterThan(-1);
    expect(fallback).toBeGreaterThan(cdn);
    // The fallback loads the bundled copy only when the CDN's script left no window.Office.
    expect(readFileSync(path.join(dist, 'addin/office-fallback.js'), 'utf8')).toMatch(
      /^(?:window\.Office\s*\|\||if\s*\(\s*!window\.Office\s*\))\s*document\.write\((['"])<script src="office\/office\.js"><\\?\/script>\1\);?\s*$/,
    );
    expect(existsSync(path.join(dist, 'addin/office/office.js'))).toBe(true);
    expect(existsSync(path.join(dist, 'addin/office/excel-win32-16.01.js'))).toBe(true);
    expect(existsSync(path.join(dist, 'addin/office/excel-web-16.00.js'))).toBe(true);
    expect(existsSync(path.join(dist, 'addin/office/ro-ro/office_strings.js'))).toBe(true);
  });
});

describe('ADDIN_PUBLIC_URL', () => {
  it('must be an https address without query (Office refuses plain http)', () => {
    expect(publicUrl('https://primarie.example.ro/caf-plan/')).toBe('https://primarie.example.ro/caf-plan');
    expect(publicUrl(undefined)).toBeNull();
    expect(() => publicUrl('http://primarie.example.ro')).toThrow(/https/);
    expect(() => publicUrl('primarie.example.ro')).toThrow(/not a URL/);
    expect(() => publicUrl('https://primarie.example.ro/?a=1')).toThrow(/query/);
  });

  it('moves the pages to the public server and keeps only its origin as AppDomain', () => {
    const xml = rewriteManifest(devXml, 'https://caf.primarie.example.ro');
    expect(xml).toContain('<SourceLocation DefaultValue="https://caf.primarie.example.ro/addin/taskpane.html"/>');
    expect(xml).toContain('<AppDomain>https://caf.primarie.example.ro</AppDomain>');
  });
});
