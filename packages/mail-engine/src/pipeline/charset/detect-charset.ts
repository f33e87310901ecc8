import { isAscii, isUtf8 } from 'node:buffer';
import chardet from 'chardet';
import iconv from 'iconv-lite';

/**
 * Text whose bytes do not say (or lie about) their charset, read the way its sender meant it
 * (W8). Valid UTF-8 stays UTF-8. Otherwise windows-1252 — the superset of ISO-8859-1 that
 * Brazilian (and most Western) legacy mailers write — unless the detector is sure of one of
 * the common CJK or Cyrillic encodings. chardet (a port of ICU's detector, maintained, pure
 * JavaScript) scores the candidates; iconv-lite decodes, because Node 20's
 * TextDecoder('windows-1252') loses “ ” — … € (bytes 0x80–0x9F).
 */
const CJK = new Set(['Shift_JIS', 'EUC-JP', 'EUC-KR', 'GB18030', 'Big5', 'ISO-2022-JP', 'ISO-2022-KR', 'ISO-2022-CN']);
const CYRILLIC = new Set(['windows-1251', 'KOI8-R', 'ISO-8859-5', 'IBM866']);
const LATIN = /^(ISO-8859-(1|2|9|15)|windows-125[02])$/;
// Below this many non-ASCII bytes nothing but a Latin guess is safe.
const MIN_EVIDENCE = 4;

export const FALLBACK_CHARSET = 'windows-1252';

// The detector reads this much, from the line of the first 8-bit byte on: its cost grows with
// what it reads (a 10 MB unlabelled body held a parser for 6 s, 30 MB for 23 s), and a charset
// shows in its first tens of kilobytes of non-ASCII text as surely as in all of them.
export const DETECTION_SAMPLE_BYTES = 64 * 1024;

// Node's native validators: every text part of every message passes through here, and a
// JavaScript loop over its bytes (or a decode-and-compare round trip) cost more than the check.
export function isValidUtf8(bytes: Buffer): boolean {
  return isUtf8(bytes);
}

export function hasEightBit(bytes: Buffer): boolean {
  return !isAscii(bytes);
}

/** The charset these bytes were most likely written in. */
export function detectCharset(bytes: Buffer): string {
  if (!hasEightBit(bytes) || isValidUtf8(bytes)) return 'utf-8';
  let first = 0;
  while (first < bytes.length && bytes[first]! < 0x80) first++;
  const lineStart = bytes.lastIndexOf(0x0a, first) + 1;
  const sample = bytes.subarray(lineStart, lineStart + DETECTION_SAMPLE_BYTES);
  let eightBit = 0;
  for (let i = first - lineStart; i < sample.length; i++) if (sample[i]! >= 0x80) eightBit++;
  if (eightBit < MIN_EVIDENCE) return FALLBACK_CHARSET;
  const candidates = chardet.analyse(sample);
  const latinBest = Math.max(0, ...candidates.filter((c) => LATIN.test(c.name)).map((c) => c.confidence));
  const best = candidates[0];
  if (!best) return FALLBACK_CHARSET;
  if (CJK.has(best.name) && best.confidence >= 60) return best.name;
  if (CYRILLIC.has(best.name) && best.confidence >= 30 && best.confidence > latinBest) return best.name;
  return FALLBACK_CHARSET;
}

/** Decodes bytes in `charset`, or in the detected one when it is missing, unknown or wrong. */
export function decodeText(bytes: Buffer, declared?: string | null): { text: string; charset: string } {
  const label = (declared ?? '').trim().toLowerCase();
  const trusted = label && !isVague(label) && iconv.encodingExists(label);
  const charset = trusted ? label : detectCharset(bytes);
  return { text: iconv.decode(bytes, charset), charset };
}

/**
 * Labels that often lie: none at all, UTF-8 (on bytes that are not), ASCII (on 8-bit bytes), and
 * the Latin-1 family (on bytes that are really UTF-8: "aÃ§Ã£o" is what trusting them gives).
 */
function isVague(label: string): boolean {
  return /^(us-?ascii|ascii|utf-?8|iso-?8859-?1|latin-?1|windows-?1252|cp1252|x-unknown|unknown|default)$/.test(label);
}
