import { randomBytes } from 'node:crypto';

/**
 * A deterministic mixed corpus like a support inbox: plain text, HTML with a text part,
 * HTML-only, several charsets and transfer encodings, and every tenth message carrying a 100 KB
 * attachment.
 */
export function buildCorpus(count: number, tag = 'bench'): Buffer[] {
  const attachment = randomBytes(100 * 1024).toString('base64').replace(/.{76}/g, '$&\r\n');
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const id = `<${tag}-${i}@cliente.example>`;
    const head = (extra: string) =>
      `From: Cliente ${i % 97} <cliente${i % 97}@cliente${i % 13}.example>\r\nTo: support@acme.example\r\nSubject: ${tag} pedido ${i}\r\nDate: ${new Date(Date.UTC(2026, 10, 1, 0, 0, i % 86400)).toUTCString()}\r\nMessage-ID: ${id}\r\nMIME-Version: 1.0\r\n${extra}`;
    const kind = i % 10 === 0 ? 'attachment' : (['plain', 'latin1', 'html-alt', 'html-only', 'qp-1252'] as const)[i % 5];
    const text = `Olá, equipe! Meu pedido número ${i} ainda não chegou.\r\nPoderiam verificar, por favor?\r\n\r\nObrigada,\r\nCliente ${i % 97}\r\n`;
    switch (kind) {
      case 'plain':
        out.push(Buffer.from(head('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n') + text));
        break;
      case 'latin1':
        out.push(Buffer.concat([Buffer.from(head('Content-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n')), Buffer.from(text, 'latin1')]));
        break;
      case 'qp-1252':
        out.push(Buffer.from(head('Content-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n') + `=93Entrega=94 atrasada =96 pedido ${i} =80 19,90\r\nAbra=E7os\r\n`));
        break;
      case 'html-alt':
        out.push(
          Buffer.from(
            head('Content-Type: multipart/alternative; boundary="alt"\r\n\r\n') +
              `--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>${text.replace(/\r\n/g, '<br>')}</p><table><tr><td style="color:#333">Pedido</td><td>${i}</td></tr></table></body></html>\r\n--alt--\r\n`,
          ),
        );
        break;
      case 'html-only':
        out.push(Buffer.from(head('Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n') + Buffer.from(`<div><b>Pedido ${i}</b><p>${text}</p><img src="https://tracker.example/p.gif"></div>`).toString('base64') + '\r\n'));
        break;
      case 'attachment':
        out.push(
          Buffer.from(
            head('Content-Type: multipart/mixed; boundary="mix"\r\n\r\n') +
              `--mix\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n--mix\r\nContent-Type: application/pdf; name="nota-${i}.pdf"\r\nContent-Disposition: attachment; filename="nota-${i}.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n--mix--\r\n`,
          ),
        );
        break;
    }
  }
  return out;
}
