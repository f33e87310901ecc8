import iconv from 'iconv-lite';

/**
 * Outlook's winmail.dat (application/ms-tnef, [MS-OXTNEF]): the real attachments and the body
 * hidden inside. Read here, not with node-tnef (the only library): it logs every message to
 * stdout through bunyan, copies the buffer into a JavaScript array (8× the memory) and keeps
 * only 8.3 short filenames, dropping the long names and the MAPI body. The container format is
 * small: a signature, then attributes (level, id, length, data, checksum), some of which hold
 * MAPI property lists. Every read is bounds-checked; a malformed file throws TnefError and the
 * caller keeps winmail.dat as it is. Bytes after the last attribute that do not start with a
 * message or attachment level are trailing garbage, as real winmail.dat files carry: what was read
 * before them is kept.
 */
export interface TnefAttachment {
  filename: string;
  contentType: string | null;
  contentId: string | null;
  data: Buffer;
}

export interface TnefContent {
  attachments: TnefAttachment[];
  text: string | null;
  html: string | null;
  /** Compressed RTF body (PR_RTF_COMPRESSED), when that is all the message has. */
  compressedRtf: Buffer | null;
}

export class TnefError extends Error {}

const SIGNATURE = 0x223e9f78;
const LVL_MESSAGE = 1;
const LVL_ATTACHMENT = 2;
const ATT = { body: 0x800c, attachData: 0x800f, attachTitle: 0x8010, attachRendData: 0x9002, msgProps: 0x9003, attachment: 0x9005, oemCodepage: 0x9007 } as const;
const PR = { body: 0x1000, rtfCompressed: 0x1009, bodyHtml: 0x1013, attachDataBin: 0x3701, attachFilename: 0x3704, attachLongFilename: 0x3707, attachMimeTag: 0x370e, attachContentId: 0x3712 } as const;
const FIXED_SIZES: Record<number, number> = { 0x0002: 4, 0x0003: 4, 0x0004: 4, 0x0005: 8, 0x0006: 8, 0x0007: 8, 0x000a: 4, 0x000b: 4, 0x0014: 8, 0x0040: 8, 0x0048: 16 };
const MAX_ATTRIBUTES = 10_000;

export function isTnef(data: Buffer): boolean {
  return data.length >= 6 && data.readUInt32LE(0) === SIGNATURE;
}

export function readTnef(data: Buffer): TnefContent {
  if (!isTnef(data)) throw new TnefError('Not a TNEF file.');
  const out: TnefContent = { attachments: [], text: null, html: null, compressedRtf: null };
  let codepage = 'windows-1252';
  let current: Partial<TnefAttachment> | null = null;
  const finish = () => {
    if (current?.data) out.attachments.push({ filename: current.filename ?? 'attachment', contentType: current.contentType ?? null, contentId: current.contentId ?? null, data: current.data });
    current = null;
  };
  let offset = 6;
  for (let count = 0; offset < data.length; count++) {
    if (count > MAX_ATTRIBUTES) throw new TnefError('Too many attributes.');
    const level = data.readUInt8(offset);
    // After at least one attribute, a byte that is no attribute level starts trailing garbage: the
    // stream ends there. A valid level with a length past the end is a truncated file, and throws.
    if (count > 0 && level !== LVL_MESSAGE && level !== LVL_ATTACHMENT) break;
    need(data, offset, 9);
    const name = data.readUInt32LE(offset + 1) & 0xffff;
    const length = data.readUInt32LE(offset + 5);
    need(data, offset + 9, length + 2);
    const value = data.subarray(offset + 9, offset + 9 + length);
    offset += 9 + length + 2;

    if (name === ATT.oemCodepage && length >= 4) codepage = codepageName(value.readUInt32LE(0));
    else if (level === LVL_ATTACHMENT && name === ATT.attachRendData) {
      finish();
      current = {};
    } else if (level === LVL_ATTACHMENT && current) {
      if (name === ATT.attachTitle) current.filename ??= ansi(value, codepage);
      else if (name === ATT.attachData) current.data = value;
      else if (name === ATT.attachment) {
        const props = readProperties(value, codepage);
        const long = props.get(PR.attachLongFilename) ?? props.get(PR.attachFilename);
        if (typeof long === 'string' && long) current.filename = long;
        const mime = props.get(PR.attachMimeTag);
        if (typeof mime === 'string' && mime) current.contentType = mime.toLowerCase();
        const cid = props.get(PR.attachContentId);
        if (typeof cid === 'string' && cid) current.contentId = cid;
        const bin = props.get(PR.attachDataBin);
        if (bin instanceof MapiObject) {
          // An OLE object or an embedded Outlook item (PT_OBJECT): its data replaces the placeholder
          // text Outlook writes into attAttachData for these ("This attachment is a MAPI 1.0 embedded message…").
          current.data = bin.data;
          if (bin.iid.equals(IID_IMESSAGE)) current.contentType ??= 'application/ms-tnef';
        } else if (!current.data && Buffer.isBuffer(bin)) current.data = bin;
      }
    } else if (name === ATT.body) out.text ??= ansi(value, codepage);
    else if (name === ATT.msgProps) {
      const props = readProperties(value, codepage);
      const html = props.get(PR.bodyHtml);
      if (Buffer.isBuffer(html)) out.html = iconv.decode(html, codepage);
      else if (typeof html === 'string' && html) out.html = html;
      const body = props.get(PR.body);
      if (typeof body === 'string' && body) out.text = body;
      const rtf = props.get(PR.rtfCompressed);
      if (Buffer.isBuffer(rtf)) out.compressedRtf = rtf;
    }
  }
  finish();
  return out;
}

/**
 * A PT_OBJECT value: in a TNEF stream its bytes start with the 16-byte IID of the object's interface
 * ([MS-OXTNEF] 2.1.3.4.1), then the object — an OLE compound file (IID_IStorage) or, for an embedded
 * Outlook item, a TNEF stream of its own (IID_IMessage).
 */
class MapiObject {
  constructor(
    readonly iid: Buffer,
    readonly data: Buffer,
  ) {}
}

// {00020307-0000-0000-C000-000000000046} as stored (little-endian fields).
const IID_IMESSAGE = Buffer.from('0703020000000000c000000000000046', 'hex');
const IID_LENGTH = 16;

/** A MAPI property list: id → the first value (strings decoded, binaries as buffers, objects as MapiObject). */
function readProperties(data: Buffer, codepage: string): Map<number, string | Buffer | number | MapiObject> {
  const props = new Map<number, string | Buffer | number | MapiObject>();
  let offset = 0;
  need(data, 0, 4);
  const count = data.readUInt32LE(0);
  if (count > MAX_ATTRIBUTES) throw new TnefError('Too many MAPI properties.');
  offset = 4;
  for (let i = 0; i < count; i++) {
    need(data, offset, 4);
    const type = data.readUInt16LE(offset);
    const id = data.readUInt16LE(offset + 2);
    offset += 4;
    if (id >= 0x8000) {
      // A named property: GUID, then a number or a UTF-16 name.
      need(data, offset, 20);
      const kind = data.readUInt32LE(offset + 16);
      offset += 20;
      if (kind === 0) offset += 4;
      else {
        need(data, offset, 4);
        const len = data.readUInt32LE(offset);
        offset += 4 + pad4(len);
      }
    }
    const base = type & ~0x1000;
    const multi = (type & 0x1000) !== 0;
    let values = 1;
    if (multi || base === 0x001e || base === 0x001f || base === 0x0102 || base === 0x000d) {
      need(data, offset, 4);
      values = data.readUInt32LE(offset);
      offset += 4;
      if (values > MAX_ATTRIBUTES) throw new TnefError('Too many MAPI values.');
    }
    for (let v = 0; v < values; v++) {
      const fixed = FIXED_SIZES[base];
      if (fixed !== undefined) {
        need(data, offset, fixed);
        if (v === 0 && !props.has(id) && base === 0x0003) props.set(id, data.readUInt32LE(offset));
        offset += fixed;
        continue;
      }
      if (base !== 0x001e && base !== 0x001f && base !== 0x0102 && base !== 0x000d) throw new TnefError(`Unknown MAPI type 0x${base.toString(16)}.`);
      need(data, offset, 4);
      const len = data.readUInt32LE(offset);
      need(data, offset + 4, len);
      const bytes = data.subarray(offset + 4, offset + 4 + len);
      offset += 4 + pad4(len);
      if (v > 0 || props.has(id)) continue;
      if (base === 0x001e) props.set(id, ansi(bytes, codepage));
      else if (base === 0x001f) props.set(id, bytes.toString('utf16le').replace(/\u0000+$/, ''));
      else if (base === 0x0102) props.set(id, bytes);
      else if (base === 0x000d && bytes.length >= IID_LENGTH) props.set(id, new MapiObject(bytes.subarray(0, IID_LENGTH), bytes.subarray(IID_LENGTH)));
    }
  }
  return props;
}

function need(data: Buffer, offset: number, length: number): void {
  if (length < 0 || offset + length > data.length) throw new TnefError('The TNEF data is truncated.');
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function ansi(bytes: Buffer, codepage: string): string {
  const end = bytes.indexOf(0);
  return iconv.decode(end >= 0 ? bytes.subarray(0, end) : bytes, codepage);
}

function codepageName(cp: number): string {
  const name = cp === 65001 ? 'utf-8' : `cp${cp}`;
  return iconv.encodingExists(name) ? name : 'windows-1252';
}
