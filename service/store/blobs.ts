// Content-addressed folder for raw files (submitted copies, revisions of the master): each file is named by the
// sha256 of its bytes, written to a temporary file, fsynced, renamed into place and never overwritten, so a
// crash leaves either the whole file or nothing under its name.
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

export type BlobHash = string;

export function sha256(bytes: Uint8Array | string): BlobHash {
  return createHash('sha256').update(bytes).digest('hex');
}

const HASH_RE = /^[0-9a-f]{64}$/;

export class BlobStore {
  readonly root: string;
  private readonly tmpDir: string;

  constructor(root: string) {
    this.root = root;
    this.tmpDir = path.join(root, 'tmp');
    mkdirSync(this.tmpDir, { recursive: true });
    // Leftovers of writes a crash interrupted: never renamed, so nothing refers to them.
    rmSync(this.tmpDir, { recursive: true, force: true });
    mkdirSync(this.tmpDir, { recursive: true });
  }

  pathOf(hash: BlobHash): string {
    if (!HASH_RE.test(hash)) throw new Error(`not a blob hash: ${hash}`);
    return path.join(this.root, hash.slice(0, 2), hash);
  }

  has(hash: BlobHash): boolean {
    return existsSync(this.pathOf(hash));
  }

  /** Stores the bytes durably and returns their hash; bytes already stored are left untouched. */
  put(bytes: Uint8Array): BlobHash {
    const hash = sha256(bytes);
    const final = this.pathOf(hash);
    if (existsSync(final)) return hash;
    const dir = path.dirname(final);
    mkdirSync(dir, { recursive: true });
    const tmp = path.join(this.tmpDir, `${hash}.${process.pid}.${randomBytes(4).toString('hex')}`);
    const fd = openSync(tmp, 'wx', 0o640);
    try {
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, final);
    fsyncDir(dir);
    return hash;
  }

  get(hash: BlobHash): Buffer {
    return readFileSync(this.pathOf(hash));
  }
}

/** The rename is durable only once the directory entry is: fsync the folder too (a no-op where unsupported). */
function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot open a directory for fsync; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
