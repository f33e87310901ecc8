import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BlobStore } from '@correio/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEmail } from './parse.ts';

// Each hook of TolerantMailParser, on the smallest message that needs it. The public-corpus
// messages that showed each problem are in tests/fixtures/corpora (corpora.test.ts).

let blobs: BlobStore;
beforeAll(async () => {
  blobs = new BlobStore(await mkdtemp(join(tmpdir(), 'correio-tolerant-')));
  await blobs.init();
});
const mail = (lines: string[]) => Buffer.from(['From: ana@cliente.example', 'To: support@acme.example', 'Subject: s', ...lines].join('\r\n'));
const files = async (raw: Buffer) => (await parseEmail(raw, blobs)).attachments.map((a) => `${a.filename} ${a.contentType} ${a.size}`);

describe('mail as real mailers write it', () => {
  it('ends an unclosed inner multipart at the enclosing delimiter, keeping the parts after it', async () => {
    const raw = mail([
      'Content-Type: multipart/related; boundary="outer"',
      '',
      '--outer',
      'Content-Type: multipart/alternative; boundary="inner"',
      '',
      '--inner',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Texto com imagem.',
      '',
      '--outer',
      'Content-Type: image/png; name="a.png"',
      'Content-Transfer-Encoding: base64',
      '',
      'iVBORw0KGgo=',
      '--outer--',
      '',
    ]);
    const parsed = await parseEmail(raw, blobs);
    expect(parsed.text.trim()).toBe('Texto com imagem.');
    expect(parsed.attachments.map((a) => [a.filename, a.size])).toEqual([['a.png', 8]]);
  });

  it('accepts a delimiter padded with spaces, and reads digest parts as messages', async () => {
    const raw = mail(['Content-Type: multipart/digest; boundary="d"', '', '--d  ', '', 'From: m1@example.com', 'Subject: m1', '', 'm1 body', '--d\t', '', 'From: m2@example.com', 'Subject: m2', '', 'm2 body', '--d-- ', '']);
    const parsed = await parseEmail(raw, blobs);
    expect(parsed.attachments.map((a) => [a.contentType, a.details?.kind === 'MESSAGE' ? a.details.subject : null])).toEqual([
      ['message/rfc822', 'm1'],
      ['message/rfc822', 'm2'],
    ]);
  });

  it('keeps an inline forwarded message as an attached message instead of flattening it into the body', async () => {
    const raw = mail(['Content-Type: multipart/mixed; boundary="m"', '', '--m', 'Content-Type: text/plain', '', 'Veja abaixo.', '--m', 'Content-Type: message/rfc822', 'Content-Disposition: inline', '', 'From: fornecedor@example.com', 'Subject: Proposta', '', 'Texto da proposta.', '--m--', '']);
    const parsed = await parseEmail(raw, blobs);
    expect(parsed.text.trim()).toBe('Veja abaixo.');
    expect(parsed.attachments).toMatchObject([{ contentType: 'message/rfc822', filename: 'Proposta.eml', details: { subject: 'Proposta', text: 'Texto da proposta.' } }]);
  });

  it('does not list renditions of the body as files, nor the same invitation twice', async () => {
    const ics = 'BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:Reunião\r\nDTSTART:20261210T130000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
    const raw = mail([
      'Content-Type: multipart/mixed; boundary="m"',
      '',
      '--m',
      'Content-Type: multipart/alternative; boundary="a"',
      '',
      '--a',
      'Content-Type: text/plain',
      '',
      'Convite',
      '--a',
      'Content-Type: text/watch-html',
      '',
      '<b>Convite</b>',
      '--a',
      'Content-Type: text/calendar; method=REQUEST',
      '',
      ics,
      '--a--',
      '--m',
      'Content-Type: application/ics; name="invite.ics"',
      'Content-Disposition: attachment; filename="invite.ics"',
      '',
      ics,
      '--m--',
      '',
    ]);
    expect(await files(raw)).toEqual([expect.stringMatching(/^invite\.ics application\/ics \d+$/)]);
  });

  it('reads past a byte-order mark, and files an invalid Content-Type as octet-stream', async () => {
    const raw = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), mail(['Content-Type: multipart/mixed; boundary="m"', '', '--m', 'Content-Type: text/plain', '', 'oi', '--m', 'Content-Type: application-x-gzip; name="doc.gz"', 'Content-Transfer-Encoding: base64', '', 'H4sIAAAAAAAA', '--m--', ''])]);
    const parsed = await parseEmail(Readable.from([raw.subarray(0, 2), raw.subarray(2)]), blobs);
    expect(parsed.from).toEqual({ address: 'ana@cliente.example', name: null });
    expect(parsed.attachments.map((a) => [a.filename, a.contentType])).toEqual([['doc.gz', 'application/octet-stream']]);
  });

  it('decodes ISO-2022-JP through mailparser’s own decoder, and headings keep their case', async () => {
    const jis = Buffer.from([0x1b, 0x24, 0x42, 0x46, 0x7c, 0x4b, 0x5c, 0x38, 0x6c, 0x1b, 0x28, 0x42]);
    const raw = Buffer.concat([mail(['Content-Type: text/plain; charset=ISO-2022-JP', 'Content-Transfer-Encoding: 7bit', '', '']), jis, Buffer.from('\r\n')]);
    expect((await parseEmail(raw, blobs)).text.trim()).toBe('日本語');
    const html = mail(['Content-Type: text/html; charset=utf-8', '', '<h1>Pedido atrasado</h1><p>Olá</p>']);
    expect((await parseEmail(html, blobs)).text).toBe('Pedido atrasado\n\nOlá');
  });
});
