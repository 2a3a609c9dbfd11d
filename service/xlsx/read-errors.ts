// The ways a file handed to the reader can be refused, each with a code the service and CLI report as is.
import { CafError } from '../../plan/errors';

export type ReadErrorCode =
  | 'xlsx-not-zip'
  | 'xlsx-truncated'
  | 'xlsx-too-large'
  | 'xlsx-doctype'
  | 'xlsx-too-many-cells'
  | 'xlsx-cell-too-long'
  | 'xlsx-not-workbook'
  | 'xlsx-malformed';

export function readError(code: ReadErrorCode, ro: string, en: string): CafError {
  return new CafError(code, { ro, en }, code === 'xlsx-too-large' ? 413 : 422);
}

const MB = 1024 * 1024;
export function megabytes(bytes: number): string {
  return `${Math.round(bytes / MB)} MB`;
}
