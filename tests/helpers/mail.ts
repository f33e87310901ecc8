import { randomUUID } from 'node:crypto';

let counter = 0;

export interface TestMail {
  from?: string;
  to?: string;
  cc?: string;
  subject?: string;
  text?: string;
  html?: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  headers?: Record<string, string>;
  date?: Date;
  /** Files after the text, in a multipart/mixed message: each part's own headers (type, disposition) and its bytes, sent base64. */
  attachments?: Array<{ headers: string[]; content: string | Buffer }>;
}

/** A small RFC 5322 message, built by hand so tests control every byte. */
export function buildMail(mail: TestMail = {}): { raw: string; messageId: string } {
  counter += 1;
  const messageId = mail.messageId ?? `${randomUUID()}@cliente.example`;
  const headers: string[] = [
    `From: ${mail.from ?? 'Ana Cliente <ana@cliente.example>'}`,
    `To: ${mail.to ?? 'support@acme.example'}`,
    ...(mail.cc ? [`Cc: ${mail.cc}`] : []),
    `Subject: ${mail.subject ?? `Test message ${counter}`}`,
    `Date: ${(mail.date ?? new Date()).toUTCString()}`,
    `Message-ID: <${messageId}>`,
    ...(mail.inReplyTo ? [`In-Reply-To: <${mail.inReplyTo}>`] : []),
    ...(mail.references?.length ? [`References: ${mail.references.map((r) => `<${r}>`).join(' ')}`] : []),
    ...Object.entries(mail.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
  ];
  let body: string;
  if (mail.attachments?.length) {
    headers.push('Content-Type: multipart/mixed; boundary="mix"');
    const files = mail.attachments.map((a) => ['--mix', ...a.headers, 'Content-Transfer-Encoding: base64', '', Buffer.from(a.content).toString('base64')].join('\r\n'));
    body = ['--mix', 'Content-Type: text/plain; charset=utf-8', '', mail.text ?? `Hello, this is message ${counter}.`, ...files, '--mix--', ''].join('\r\n');
  } else if (mail.html && mail.text) {
    headers.push('Content-Type: multipart/alternative; boundary="alt"');
    body = ['--alt', 'Content-Type: text/plain; charset=utf-8', '', mail.text, '--alt', 'Content-Type: text/html; charset=utf-8', '', mail.html, '--alt--', ''].join('\r\n');
  } else if (mail.html) {
    headers.push('Content-Type: text/html; charset=utf-8');
    body = mail.html;
  } else {
    headers.push('Content-Type: text/plain; charset=utf-8');
    body = mail.text ?? `Hello, this is message ${counter}.`;
  }
  return { raw: `${headers.join('\r\n')}\r\n\r\n${body}\r\n`, messageId };
}
