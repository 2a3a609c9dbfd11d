// Cuts the text of a streamed XML part into segments that end after a repeated element (`</row>`, `</si>`), so
// each segment can be scanned on its own with indexOf and then dropped: memory stays at about one segment
// (around a megabyte) plus what the scanner keeps, whatever the size of the part.
import { findDtd, rootPrefix } from './xml';
import { readError } from './read-errors';

const SEGMENT_CHARS = 1 << 20;

export interface Segmenter {
  push(chunk: string): void;
  /** Scans what is left; throws xlsx-not-workbook when the part had no root element. */
  end(): void;
}

export function refuseDtd(part: string): never {
  throw readError(
    'xlsx-doctype',
    `Partea ${part} a fișierului conține o declarație DOCTYPE sau ENTITY, pe care Excel nu o scrie niciodată: fișierul este refuzat (poate fi construit pentru a bloca serverul).`,
    `Part ${part} of the file contains a DOCTYPE or ENTITY declaration, which Excel never writes: the file is refused (it may be crafted to exhaust the server).`,
  );
}

/**
 * @param part the part's name, for messages
 * @param root the local name the root element must have (`worksheet`, `sst`); null accepts any
 * @param unit the local name of the repeated element a segment may end after
 * @param onSegment called with each segment and the namespace prefix of the part (`''` or `x:`)
 */
export function segmenter(
  part: string,
  root: readonly string[] | null,
  unit: string,
  onSegment: (segment: string, prefix: string) => void,
): Segmenter {
  let pending = '';
  let prefix: string | null = null;
  let closing = '';
  let threshold = SEGMENT_CHARS;

  const emit = (segment: string): void => {
    if (findDtd(segment) >= 0) refuseDtd(part);
    onSegment(segment, prefix!);
  };

  return {
    push(chunk) {
      pending += chunk;
      if (prefix === null) {
        if (findDtd(pending) >= 0) refuseDtd(part);
        const found = rootPrefix(pending);
        if (!found) return;
        if (root && !root.includes(found.local)) {
          throw readError(
            'xlsx-not-workbook',
            `Partea ${part} nu are conținutul așteptat (${found.local} în loc de ${root.join('/')}).`,
            `Part ${part} does not hold what it should (${found.local} instead of ${root.join('/')}).`,
          );
        }
        prefix = found.prefix;
        closing = `</${prefix}${unit}>`;
      }
      if (pending.length < threshold) return;
      const cut = pending.lastIndexOf(closing);
      if (cut < 0) {
        // One element longer than a segment (a huge cell): wait for twice as much, so rescanning stays linear.
        threshold = pending.length * 2;
        return;
      }
      const end = cut + closing.length;
      const segment = pending.slice(0, end);
      pending = pending.slice(end);
      threshold = SEGMENT_CHARS;
      emit(segment);
    },
    end() {
      if (prefix === null) {
        if (findDtd(pending) >= 0) refuseDtd(part);
        throw readError(
          'xlsx-not-workbook',
          `Partea ${part} a fișierului nu este XML valid.`,
          `Part ${part} of the file is not valid XML.`,
        );
      }
      const segment = pending;
      pending = '';
      emit(segment);
    },
  };
}
