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
  if (mail.html && mail.text) {
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
