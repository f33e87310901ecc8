import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BlobStore } from '@correio/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDeliveryReport } from './dsn.ts';
import { parseEmail, ParseError } from './parse.ts';
import { prepareEmail } from './prepare.ts';

const FIXTURES = new URL('../../../../tests/fixtures/eml/', import.meta.url);
let blobs: BlobStore;
beforeAll(async () => {
  blobs = new BlobStore(await mkdtemp(join(tmpdir(), 'correio-parse-')));
  await blobs.init();
});

describe('parseEmail', () => {
  it('reads the text of an HTML body nested too deep for a recursive walk', async () => {
    // 4,000 levels overflowed html-to-text's recursion: the message was a failed import.
    const html = `<style>p { color: red }</style>${'<div>'.repeat(10_000)}<p>Olá, meu pedido 4521 &amp; a nota</p>${'</div>'.repeat(10_000)}`;
    const parsed = await parseEmail(Buffer.from(`From: ana@cliente.com\r\nSubject: aninhado\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}`), blobs);
    expect(parsed.text).toBe('Olá, meu pedido 4521 & a nota');
    expect(parsed.html).toContain('meu pedido');
  });

  it('imports an HTML bomb as text without sanitizing it for minutes', async () => {
    // 1,500,000 unclosed <b>: sanitize-html's cost is quadratic in depth (100,000 levels took 5 s).
    const raw = Buffer.from(`From: ana@cliente.com\r\nSubject: bomba\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Texto da bomba</p>${'<b>'.repeat(1_500_000)}fim`);
    const started = performance.now();
    const prepared = await prepareEmail({ blobKey: 'bomb', size: raw.length, sha256: null, raw }, blobs, null);
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(prepared.html).toBeNull();
    expect(prepared.text).toBe('Texto da bomba fim');
  });

  it.each(['dsn-postfix.eml', 'dsn-exchange.eml', 'dsn-gmail.eml'])('finds the bounced Message-ID and reason in %s', async (name) => {
    const raw = await readFile(new URL(name, FIXTURES));
    const parsed = await parseEmail(Readable.from([raw.subarray(0, 100), raw.subarray(100)]), blobs);
    const report = parseDeliveryReport(parsed);
    expect(report.originalMessageId).toMatch(/@/);
    expect(report.reason).toMatch(/5\.\d\.\d|550|failed/i);
  });

  it('streams attachments into the blob store and keeps cid references', async () => {
    const raw = Buffer.from(
      [
        'From: "Ana" <Ana@Cliente.com>',
        'To: support@acme.example, "Bob" <bob@cliente.com>',
        'Subject: =?ISO-8859-1?Q?Fatura_n=E3o_chegou?=',
        'Message-ID: <abc@cliente.com>',
        'In-Reply-To: <out-1@acme.example>',
        'References: <first@cliente.com> <out-1@acme.example>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/related; boundary="b"',
        '',
        '--b',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>Olá <img src="cid:logo1"></p>',
        '--b',
        'Content-Type: image/png; name="logo.png"',
        'Content-ID: <logo1>',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('fake png bytes').toString('base64'),
        '--b--',
        '',
      ].join('\r\n'),
    );
    const parsed = await parseEmail(raw, blobs);
    expect(parsed.subject).toBe('Fatura não chegou');
    expect(parsed.from).toEqual({ address: 'ana@cliente.com', name: 'Ana' });
    expect(parsed.to.map((a) => a.address)).toEqual(['support@acme.example', 'bob@cliente.com']);
    expect(parsed).toMatchObject({ messageId: 'abc@cliente.com', inReplyTo: 'out-1@acme.example', references: ['first@cliente.com', 'out-1@acme.example'] });
    expect(parsed.text).toMatch(/Olá/);
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]).toMatchObject({ filename: 'logo.png', contentType: 'image/png', contentId: 'logo1', inline: true, size: 14 });
    expect((await blobs.readBuffer(parsed.attachments[0]!.blobKey)).toString()).toBe('fake png bytes');
  });

  it('rejects something that is not an e-mail', async () => {
    await expect(parseEmail(Buffer.alloc(0), blobs)).rejects.toBeInstanceOf(ParseError);
    await expect(parseEmail(Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 65, 66]), blobs)).rejects.toThrow(/no valid From|no headers/);
  });
});
