// The backup file is a plain POSIX (ustar) tar: an administrator can list it with `tar -tvf` on any system, and a
// damaged one can still be opened by hand. Only what backups need: regular files with short names, written and read
// through a file descriptor, each entry hashed (sha256) on the way so no byte is trusted unchecked.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

const BLOCK = 512;
const CHUNK = 1 << 20;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, mtime: Date): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length > 100) throw new Error(`tar: name too long: ${name}`);
  const h = Buffer.alloc(BLOCK);
  nameBytes.copy(h, 0);
  h.write(octal(0o640, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write('0', 156, 'ascii');
  h.write('ustar\u000000', 257, 'ascii');
  h.write(octal(checksum(h), 7) + ' ', 148, 'ascii');
  return h;
}

function checksum(h: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  return sum;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

const padding = (size: number): number => (BLOCK - (size % BLOCK)) % BLOCK;

export interface EntryDigest {
  size: number;
  sha256: string;
}

export class TarWriter {
  constructor(private readonly fd: number) {}

  addBytes(name: string, bytes: Uint8Array, mtime = new Date()): EntryDigest {
    writeAll(this.fd, header(name, bytes.length, mtime));
    writeAll(this.fd, bytes);
    writeAll(this.fd, Buffer.alloc(padding(bytes.length)));
    return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }

  /** Copies a file that nobody changes meanwhile (blobs, a finished snapshot); returns what was written. */
  addFile(name: string, source: string): EntryDigest {
    const src = openSync(source, 'r');
    try {
      const stat = fstatSync(src);
      writeAll(this.fd, header(name, stat.size, stat.mtime));
      const hash = createHash('sha256');
      const buffer = Buffer.alloc(Math.min(CHUNK, Math.max(stat.size, 1)));
      let done = 0;
      while (done < stat.size) {
        const n = readSync(src, buffer, 0, Math.min(buffer.length, stat.size - done), done);
        if (n === 0) throw new Error(`tar: ${source} shrank while it was copied`);
        hash.update(buffer.subarray(0, n));
        writeAll(this.fd, buffer.subarray(0, n));
        done += n;
      }
      writeAll(this.fd, Buffer.alloc(padding(stat.size)));
      return { size: stat.size, sha256: hash.digest('hex') };
    } finally {
      closeSync(src);
    }
  }

  /** The end-of-archive marker: two zero blocks. A file without it was cut short. */
  finish(): void {
    writeAll(this.fd, Buffer.alloc(BLOCK * 2));
  }
}

export class TarFormatError extends Error {
  constructor(
    readonly kind: 'truncated' | 'malformed',
    message: string,
  ) {
    super(message);
    this.name = 'TarFormatError';
  }
}

export interface TarEntry {
  name: string;
  size: number;
}

/**
 * Reads the archive entry by entry: `onEntry` gets each entry's name and size and returns a sink for its bytes (or
 * null to skip them). Throws TarFormatError when the file ends early or a header is damaged; returns once the
 * end-of-archive marker is read.
 */
export function readTar(
  file: string,
  onEntry: (entry: TarEntry) => { write(chunk: Buffer): void; end(): void } | null,
): void {
  const fd = openSync(file, 'r');
  try {
    let position = 0;
    const readExactly = (buffer: Buffer, length: number, what: string): void => {
      let got = 0;
      while (got < length) {
        const n = readSync(fd, buffer, got, length - got, position);
        if (n === 0) throw new TarFormatError('truncated', `the file ends inside ${what} (byte ${position})`);
        got += n;
        position += n;
      }
    };
    const h = Buffer.alloc(BLOCK);
    const buffer = Buffer.alloc(CHUNK);
    for (;;) {
      readExactly(h, BLOCK, 'a header');
      if (h.every((b) => b === 0)) return;
      const stored = parseInt(h.toString('ascii', 148, 156).replace(/\0.*$/s, '').trim(), 8);
      if (stored !== checksum(h)) throw new TarFormatError('malformed', `damaged header at byte ${position - BLOCK}`);
      const cut = (from: number, length: number): string => {
        const raw = h.subarray(from, from + length);
        const end = raw.indexOf(0);
        return raw.subarray(0, end < 0 ? length : end).toString('utf8');
      };
      const prefix = cut(345, 155);
      const name = prefix ? `${prefix}/${cut(0, 100)}` : cut(0, 100);
      const size = parseInt(cut(124, 12).trim() || '0', 8);
      const type = String.fromCharCode(h[156]!);
      if (!Number.isSafeInteger(size) || size < 0) throw new TarFormatError('malformed', `bad size for ${name}`);
      const sink = type === '0' || type === '\0' ? onEntry({ name, size }) : null;
      let left = size;
      while (left > 0) {
        const n = Math.min(left, buffer.length);
        readExactly(buffer, n, name);
        sink?.write(buffer.subarray(0, n));
        left -= n;
      }
      sink?.end();
      const skip = padding(size);
      if (skip > 0) readExactly(h, skip, name);
    }
  } finally {
    closeSync(fd);
  }
}
