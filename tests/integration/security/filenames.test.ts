import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts';
import { gqlOk } from '../../helpers/graphql.ts';
import { sendToReceiver } from '../../helpers/inbound.ts';
import { buildMail } from '../../helpers/mail.ts';
import { upload } from '../../helpers/outbound.ts';
import { waitFor } from '../../helpers/wait.ts';

// Issue 10 §7: filenames cannot lie. A stranger's mail names its attachments; so does anyone who
// uploads. What Correio lists and serves has no path, no `..`, no control or bidi characters.

let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
let address: string;

beforeAll(async () => {
  app = await startTestApp();
  admin = await signUp(app.url, { slug: 'arquivos' });
  address = (await gqlOk(app.url, `{ emailAccounts { address } }`, {}, admin.token)).emailAccounts[0].address;
});
afterAll(() => app?.stop());

function mailWith(names: string[]): string {
  return buildMail({
    from: 'Ana <ana@cliente.example>',
    to: address,
    subject: 'Arquivos estranhos',
    text: 'Segue.',
    attachments: names.map((name, i) => ({
      // RFC 2231 encoding, so every byte of the hostile name reaches the parser intact.
      headers: ['Content-Type: application/octet-stream', `Content-Disposition: attachment; filename*=UTF-8''${encodeURIComponent(name)}`],
      content: `file ${i}`,
    })),
  }).raw;
}

describe('attachment and upload filenames are neutralized', () => {
  it('stores and serves mail attachments under safe names; the raw message keeps the original', async () => {
    const hostile = ['../../../../etc/passwd', '..\\..\\boot.ini', 'fatura\u202Efdp.exe', 'a\u2066b\u2069.txt', 'nul\u0000l\u0007.txt', '..', `${'x'.repeat(400)}.pdf`];
    await sendToReceiver(app.engine!.inboundSmtpPort!, { from: 'ana@cliente.example', to: [address] }, mailWith(hostile));
    const ticket = await waitFor(async () => {
      const list = await gqlOk(app.url, `{ tickets(first: 5, filter: { search: "Arquivos estranhos" }) { edges { node { actions { attachments { filename url } } } } } }`, {}, admin.token);
      return list.tickets.edges[0]?.node;
    }, 'the ticket');
    const files = ticket.actions[0].attachments as Array<{ filename: string; url: string }>;
    const names = files.map((f) => f.filename);
    expect(names.slice(0, 6)).toEqual(['passwd', 'boot.ini', 'faturafdp.exe', 'ab.txt', 'null.txt', 'attachment.bin']);
    expect(names[6]!.length).toBeLessThanOrEqual(200);
    expect(names[6]!.endsWith('.pdf')).toBe(true);
    for (const name of names) expect(name).not.toMatch(/[\\/\u0000-\u001f\u202a-\u202e\u2066-\u2069]|\.\./);

    const download = await fetch(`${app.url}${files[2]!.url}`);
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename*=UTF-8''${encodeURIComponent('faturafdp.exe')}`);
  });

  it('neutralizes an upload’s name the same way, and refuses one with nothing usable left', async () => {
    const tricked = await upload(app, admin.token, '../../contrato\u202Eexe.pdf', Buffer.from('pdf'));
    expect(tricked.status).toBe(201);
    expect(tricked.body.filename).toBe('contratoexe.pdf');
    const empty = await upload(app, admin.token, '../\u202E/..', Buffer.from('x'));
    expect(empty.status).toBe(400);
  });
});
