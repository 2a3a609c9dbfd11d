// The zip container of an .xlsx, read with yauzl from memory. Only the parts the reader asks for are inflated,
// streamed as text, and every byte inflated counts against a per-part and a total budget, so a zip bomb is cut
// off after at most the budget however its headers lie (yauzl also checks each entry against the size the
// central directory declares).
import { Buffer } from 'node:buffer';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { megabytes, readError } from './read-errors';
import type { CafError } from '../../plan/errors';

export interface ZipLimits {
  /** Entries in the central directory. */
  maxEntries: number;
  /** Inflated bytes of one part. */
  maxPartBytes: number;
  /** Inflated bytes of all the parts read. */
  maxTotalBytes: number;
}

export interface ZipArchive {
  /** Entry names as stored, `/`-separated, without a leading slash. */
  readonly names: readonly string[];
  has(name: string): boolean;
  /** Streams the part as text chunks (UTF-8, or UTF-16 when it starts with a UTF-16 byte-order mark). */
  readText(name: string, onText: (chunk: string) => void): Promise<void>;
  readWholeText(name: string): Promise<string>;
}

const CFB_SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0];

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return signature.every((b, i) => bytes[i] === b);
}

function openError(bytes: Uint8Array, error: Error): CafError {
  if (/end of central directory record signature not found/i.test(error.message)) {
    if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
      return readError(
        'xlsx-truncated',
        'Fișierul este incomplet (trunchiat): încărcați-l din nou sau salvați-l din nou în Excel.',
        'The file is incomplete (truncated): upload it again or save it again from Excel.',
      );
    }
    if (startsWith(bytes, CFB_SIGNATURE)) {
      return readError(
        'xlsx-not-zip',
        'Fișierul este un registru .xls vechi sau un registru protejat cu parolă: salvați-l ca .xlsx, fără parolă de deschidere.',
        'The file is an old .xls workbook or a password-protected workbook: save it as .xlsx without an opening password.',
      );
    }
    return readError(
      'xlsx-not-zip',
      'Fișierul nu este un registru Excel (.xlsx).',
      'The file is not an Excel workbook (.xlsx).',
    );
  }
  return damaged(error);
}

function damaged(error: Error): CafError {
  return readError(
    'xlsx-truncated',
    `Fișierul .xlsx este deteriorat și nu poate fi citit (${error.message}).`,
    `The .xlsx file is damaged and cannot be read (${error.message}).`,
  );
}

function partTooLarge(name: string, limit: number): CafError {
  return readError(
    'xlsx-too-large',
    `Partea ${name} a fișierului depășește ${megabytes(limit)} după dezarhivare: fișierul este prea mare sau construit intenționat (zip bomb).`,
    `Part ${name} of the file exceeds ${megabytes(limit)} once inflated: the file is too large or crafted (zip bomb).`,
  );
}

function streamError(name: string, error: Error, limit: number): CafError {
  // yauzl: the part inflates to more than the central directory says, the signature of a crafted file.
  if (/too many bytes in the stream/.test(error.message)) return partTooLarge(name, limit);
  return damaged(error);
}

function normalise(name: string): string {
  return name.replace(/\\/g, '/').replace(/^\/+/, '').toLowerCase();
}

function openZipFile(bytes: Uint8Array): Promise<yauzl.ZipFile> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true, validateEntrySizes: true }, (error, zipfile) => {
      if (error || !zipfile) reject(openError(bytes, error ?? new Error('no zip file')));
      else resolve(zipfile);
    });
  });
}

function listEntries(zipfile: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zipfile.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry);
      zipfile.readEntry();
    });
    zipfile.on('end', () => resolve(entries));
    zipfile.on('error', (error: Error) => reject(damaged(error)));
    zipfile.readEntry();
  });
}

export async function openZip(bytes: Uint8Array, limits: ZipLimits): Promise<ZipArchive> {
  if (bytes.byteLength < 22) {
    throw readError(
      'xlsx-not-zip',
      'Fișierul nu este un registru Excel (.xlsx).',
      'The file is not an Excel workbook (.xlsx).',
    );
  }
  const zipfile = await openZipFile(bytes);
  if (zipfile.entryCount > limits.maxEntries) {
    zipfile.close();
    throw readError(
      'xlsx-too-large',
      `Fișierul are ${zipfile.entryCount} părți în arhivă; sunt acceptate cel mult ${limits.maxEntries}.`,
      `The file holds ${zipfile.entryCount} parts in its archive; at most ${limits.maxEntries} are accepted.`,
    );
  }
  const entries = await listEntries(zipfile);
  const byName = new Map<string, yauzl.Entry>();
  for (const entry of entries) {
    const key = normalise(entry.fileName);
    if (!byName.has(key)) byName.set(key, entry);
  }
  let totalRead = 0;

  const open = (entry: yauzl.Entry): Promise<Readable> =>
    new Promise((resolve, reject) => {
      zipfile.openReadStream(entry, (error, stream) => {
        if (error || !stream) reject(damaged(error ?? new Error('no stream')));
        else resolve(stream);
      });
    });

  const readText = async (name: string, onText: (chunk: string) => void): Promise<void> => {
    const entry = byName.get(normalise(name));
    if (!entry) throw new Error(`zip: no part ${name}`);
    // Refuse on the declared size before inflating anything; the running count below catches the liars.
    if (entry.uncompressedSize > limits.maxPartBytes) throw partTooLarge(name, limits.maxPartBytes);
    if (totalRead + entry.uncompressedSize > limits.maxTotalBytes) throw partTooLarge(name, limits.maxTotalBytes);
    const stream = await open(entry);
    let partRead = 0;
    let decoder: TextDecoder | null = null;
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (error: unknown): void => {
        if (failed) return;
        failed = true;
        stream.destroy();
        reject(error);
      };
      stream.on('data', (chunk: Buffer) => {
        if (failed) return;
        partRead += chunk.length;
        totalRead += chunk.length;
        if (partRead > limits.maxPartBytes) return fail(partTooLarge(name, limits.maxPartBytes));
        if (totalRead > limits.maxTotalBytes) return fail(partTooLarge(name, limits.maxTotalBytes));
        if (!decoder) {
          const utf16 = chunk[0] === 0xff && chunk[1] === 0xfe;
          decoder = new TextDecoder(utf16 ? 'utf-16le' : 'utf-8');
        }
        try {
          onText(decoder.decode(chunk, { stream: true }));
        } catch (error) {
          fail(error);
        }
      });
      stream.on('error', (error: Error) => fail(streamError(name, error, limits.maxPartBytes)));
      stream.on('end', () => {
        if (failed) return;
        try {
          const rest = decoder?.decode() ?? '';
          if (rest) onText(rest);
          resolve();
        } catch (error) {
          fail(error);
        }
      });
    });
  };

  return {
    names: entries.map((e) => e.fileName.replace(/\\/g, '/').replace(/^\/+/, '')),
    has: (name) => byName.has(normalise(name)),
    readText,
    async readWholeText(name) {
      const chunks: string[] = [];
      await readText(name, (chunk) => chunks.push(chunk));
      return chunks.join('');
    },
  };
}
