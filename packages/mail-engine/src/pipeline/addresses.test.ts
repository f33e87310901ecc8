import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobStore } from '@correio/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEmail, ParseError } from './parse.ts';
import { prepareEmail } from './prepare.ts';

// W8: the sender read as mail clients read it, and the fallbacks when From is unusable.

let blobs: BlobStore;
beforeAll(async () => {
  blobs = new BlobStore(await mkdtemp(join(tmpdir(), 'correio-addr-')));
  await blobs.init();
});
const parse = (headers: string[]) => parseEmail(Buffer.from(`${headers.join('\r\n')}\r\nSubject: s\r\n\r\nbody\r\n`, 'latin1'), blobs);

describe('the sender of a message', () => {
  it.each([
    ['"x" <power quadrant system@example.com>', { address: '"power quadrant system"@example.com', name: 'x' }],
    ['"ana@cliente.com"', { address: 'ana@cliente.com', name: null }],
    ['ana@cliente.com (Ana Silva)', { address: 'ana@cliente.com', name: 'Ana Silva' }],
    ['Ana Silva ana@cliente.com', { address: 'ana@cliente.com', name: 'Ana Silva' }],
    ['Ana <ana@cliente.com', { address: 'ana@cliente.com', name: 'Ana' }],
    ['"Silva, Ana" <Ana@Cliente.COM>', { address: 'ana@cliente.com', name: 'Silva, Ana' }],
    ['"A\u0000B\u0007" <ab@cliente.com>', { address: 'ab@cliente.com', name: 'AB' }],
  ])('From: %s', async (from, expected) => {
    expect((await parse([`From: ${from}`])).from).toEqual(expected);
  });

  it('falls back to Reply-To, then Sender, then Return-Path', async () => {
    expect((await parse(['From: undisclosed-recipients:;', 'Reply-To: Ana <ana@cliente.com>', 'Sender: robo@cliente.com'])).from?.address).toBe('ana@cliente.com');
    expect((await parse(['From: ana at cliente.com', 'Sender: Robo <robo@cliente.com>'])).from?.address).toBe('robo@cliente.com');
    expect((await parse(['Return-Path: <bounces@cliente.com>', 'To: support@acme.example'])).from?.address).toBe('bounces@cliente.com');
  });

  it('holds a message that names nobody to answer, saying why', async () => {
    const prepare = (headers: string[]) => prepareEmail({ blobKey: 'x', size: 0, sha256: null, raw: Buffer.from(`${headers.join('\r\n')}\r\nSubject: s\r\n\r\nbody\r\n`) }, blobs, null);
    expect((await parse(['To: support@acme.example'])).from).toBeNull();
    await expect(prepare(['From: undisclosed-recipients:;', 'Return-Path: <>', 'To: support@acme.example'])).rejects.toThrow(ParseError);
    await expect(prepare(['To: support@acme.example'])).rejects.toThrow(/names nobody to answer/);
  });

  it('lets a mailer daemon’s report without a sender be what it is: a bounce', async () => {
    const report = [
      'Subject: Undelivered Mail Returned to Sender',
      'To: support@acme.example',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
      '',
      '--r',
      'Content-Type: text/plain',
      '',
      'The mail system could not deliver it.',
      '--r',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example',
      '',
      'Final-Recipient: rfc822; x@y.example',
      'Action: failed',
      'Status: 5.1.1',
      '--r--',
      '',
    ].join('\r\n');
    const prepared = await prepareEmail({ blobKey: 'x', size: 0, sha256: null, raw: Buffer.from(report) }, blobs, null);
    expect(prepared.classification.kind).toBe('BOUNCE');
    expect(prepared.from.address).toBe('mailer-daemon');
  });

  it('removes NUL and control characters before anything is stored', async () => {
    const raw = Buffer.from('From: a@cliente.com\r\nSubject: nota\u0000 fiscal\u0001\r\nMessage-ID: <id\u0000@x>\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>te\u0000xt\u0008o</p>\r\n');
    const parsed = await parseEmail(raw, blobs);
    expect(parsed.subject).toBe('nota fiscal');
    expect(parsed.messageId).toBe('id@x');
    expect(parsed.html).toBe('<p>texto</p>\n');
    expect(JSON.stringify(parsed.text)).not.toMatch(/\\u000/);
  });

  it('bounds headers of kilobytes to what an index entry holds, the same way every time', async () => {
    const long = 'x'.repeat(3000);
    const parsed = await parse([`From: "Ana ${'ñ'.repeat(1000)}" <ana@cliente.com>`, `Message-ID: <${long}@cliente.com>`, `In-Reply-To: <${long}@cliente.com>`, `References: <a@b> <${long}@cliente.com>`]);
    expect(parsed.from).toEqual({ address: 'ana@cliente.com', name: `Ana ${'ñ'.repeat(196)}` });
    expect(parsed.messageId).toMatch(/^[0-9a-f]{40}@long-id\.correio\.invalid$/);
    expect(parsed.inReplyTo).toBe(parsed.messageId);
    expect(parsed.references).toEqual(['a@b', parsed.messageId]);
    // A 254-character address is an address; a longer one reaches nobody, so Reply-To answers.
    const local = 'a'.repeat(254 - '@cliente.com'.length);
    expect((await parse([`From: <${local}@cliente.com>`])).from?.address).toBe(`${local}@cliente.com`);
    expect((await parse([`From: <a${local}@cliente.com>`, 'Reply-To: ana@cliente.com'])).from?.address).toBe('ana@cliente.com');
  });
});
