import { randomUUID } from 'node:crypto';
import { schema } from '@correio/core';
import type { EngineOptions } from '@correio/mail-engine';
import { and, eq, sql } from 'drizzle-orm';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { TestApp } from './app.ts';
import { CREATE_ACCOUNT } from './fragments.ts';
import { gqlOk } from './graphql.ts';
import type { TestMail } from './mail.ts';
import type { SmtpSink } from './smtp-sink.ts';
import { testCertificate } from './tls.ts';
import { waitFor } from './wait.ts';

/**
 * Helpers for the outbound (sending) tests: fast outbox timings, trust in the sink's self-signed
 * certificate, an account pointing at an smtp-server sink, and readers for what the sink captured.
 */

/** The outbox timings outboundEngineOptions() gives (unless a test overrides them): tests derive their waits from these. */
export const OUTBOUND_TIMING = {
  /** How often the outbox looks for due rows. */
  pollMs: 100,
  /** Retry policy: the first delay is between minMs/2 and minMs; no delay is ever longer than maxMs. */
  retry: { minMs: 200, maxMs: 1000, maxAgeMs: 30_000 },
} as const;

export function outboundEngineOptions(extra: EngineOptions = {}): EngineOptions {
  return {
    ...extra,
    outbox: {
      pollMs: OUTBOUND_TIMING.pollMs,
      ...extra.outbox,
      retry: { ...OUTBOUND_TIMING.retry, ...extra.outbox?.retry },
      // The sink's certificate is self-signed: trust exactly it, verification stays on.
      smtp: { tls: { ca: testCertificate().cert }, ...extra.outbox?.smtp },
    },
  };
}

/** An EXTERNAL account whose outgoing server is the sink (no incoming side unless given). */
export async function createSinkAccount(
  app: TestApp,
  token: string,
  sink: SmtpSink,
  options: { address?: string; name?: string; outgoing?: Record<string, unknown>; account?: Record<string, unknown> } = {},
): Promise<{ id: string; address: string }> {
  const data = await gqlOk(
    app.url,
    CREATE_ACCOUNT,
    {
      input: {
        name: options.name ?? 'Acme Suporte',
        kind: 'EXTERNAL',
        address: options.address ?? 'support@acme.example',
        outgoing: {
          host: '127.0.0.1',
          port: sink.port,
          encryption: sink.tls === 'implicit' ? 'SSL_TLS' : sink.tls === 'starttls' ? 'STARTTLS' : 'NONE',
          requiresAuth: true,
          username: 'smtp-user',
          password: 'smtp-pass',
          useSeparateIdentity: true,
          authMechanism: 'PLAIN',
          ...options.outgoing,
        },
        ...options.account,
      },
    },
    token,
  );
  return { id: data.createEmailAccount.id, address: data.createEmailAccount.address };
}

export async function workspaceIdOf(app: TestApp, userId: string): Promise<string> {
  const [user] = await app.runtime.database.db.select({ workspaceId: schema.users.workspaceId }).from(schema.users).where(eq(schema.users.id, userId));
  return user!.workspaceId;
}

/**
 * A ticket opened by a customer's e-mail, written straight into the database as the importer would
 * leave it (client, ticket, EMAIL_IN action, its Message-ID), so sending tests do not depend on the
 * inbound pipeline. The Dovecot round-trip test goes through the real importer.
 */
export async function importCustomerMail(app: TestApp, accountId: string, mail: TestMail): Promise<{ ticketId: string; messageId: string }> {
  const db = app.runtime.database.db;
  const [account] = await db.select().from(schema.emailAccounts).where(eq(schema.emailAccounts.id, accountId));
  const workspaceId = account!.workspaceId;
  const from = addressOf(mail.from ?? 'Ana Cliente <ana@cliente.example>');
  const messageId = mail.messageId ?? `${randomUUID()}@cliente.example`;
  const ccs = (mail.cc ?? '').split(',').map(addressOf).filter((a) => a && a !== account!.address);
  const subject = mail.subject ?? 'Help';
  return db.transaction(async (tx) => {
    await tx.insert(schema.clients).values({ workspaceId, email: from, name: 'Ana Cliente' }).onConflictDoNothing();
    const [client] = await tx.select().from(schema.clients).where(and(eq(schema.clients.workspaceId, workspaceId), eq(schema.clients.email, from)));
    const [seq] = await tx
      .update(schema.workspaces)
      .set({ ticketSeq: sql`${schema.workspaces.ticketSeq} + 1` })
      .where(eq(schema.workspaces.id, workspaceId))
      .returning({ n: schema.workspaces.ticketSeq });
    const [ticket] = await tx
      .insert(schema.tickets)
      .values({ workspaceId, number: seq!.n, subject, normalizedSubject: subject.toLowerCase(), customerId: client!.id, ccs, accountId })
      .returning();
    const [action] = await tx
      .insert(schema.ticketActions)
      .values({
        workspaceId,
        ticketId: ticket!.id,
        kind: 'EMAIL_IN',
        accountId,
        fromAddress: from,
        to: [addressOf(mail.to ?? account!.address)],
        cc: ccs,
        subject,
        text: mail.text ?? 'Olá',
        messageId,
        inReplyTo: mail.inReplyTo ?? null,
        references: mail.references ?? [],
      })
      .returning();
    await tx.insert(schema.ticketMessageIds).values({ workspaceId, messageId, ticketId: ticket!.id, actionId: action!.id });
    return { ticketId: ticket!.id, messageId };
  });
}

function addressOf(value: string): string {
  return (/<([^>]+)>/.exec(value)?.[1] ?? value).trim().toLowerCase();
}

export const ACTION_FIELDS = 'id kind from fromName to cc subject text html messageId delivery deliveryError createdAt author { id name } attachments { id filename contentType size url }';

export async function ticketWithActions(app: TestApp, token: string, ticketId: string) {
  const data = await gqlOk(app.url, `query($id: ID!) { ticket(id: $id) { id number subject status ccs actions { ${ACTION_FIELDS} } } }`, { id: ticketId }, token);
  return data.ticket;
}

export async function reply(app: TestApp, token: string, ticketId: string, input: Record<string, unknown>) {
  const data = await gqlOk(app.url, `mutation($t: ID!, $i: ReplyInput!) { replyToTicket(ticketId: $t, input: $i) { ${ACTION_FIELDS} } }`, { t: ticketId, i: input }, token);
  return data.replyToTicket;
}

/** Waits until the action's delivery is `state` (QUEUED with a deliveryError counts as "retrying"). */
export async function waitForDelivery(app: TestApp, token: string, ticketId: string, actionId: string, predicate: (a: any) => boolean, what: string, timeoutMs = 30_000) {
  return waitFor(async () => {
    const ticket = await ticketWithActions(app, token, ticketId);
    const action = ticket.actions.find((a: any) => a.id === actionId);
    return action && predicate(action) ? action : null;
  }, what, timeoutMs, 50);
}

export function parse(raw: Buffer): Promise<ParsedMail> {
  return simpleParser(raw, { skipImageLinks: true, skipTextLinks: true });
}

/** The raw header block of a message, unfolded, as `name → values` (lower-cased names). */
export function rawHeaders(raw: Buffer): Map<string, string[]> {
  const text = raw.toString('utf8');
  const end = text.indexOf('\r\n\r\n');
  const block = text.slice(0, end < 0 ? text.length : end).replace(/\r\n[ \t]+/g, ' ');
  const map = new Map<string, string[]>();
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    map.set(name, [...(map.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return map;
}

/**
 * The MIME tree as indented content types, e.g. `multipart/mixed\n  multipart/alternative\n    text/plain`.
 * Enough of a MIME reader for what nodemailer writes (boundaries quoted, CRLF).
 */
export function mimeTree(raw: Buffer): string {
  const lines: string[] = [];
  const walk = (part: string, depth: number) => {
    const split = part.indexOf('\r\n\r\n');
    const head = (split < 0 ? part : part.slice(0, split)).replace(/\r\n[ \t]+/g, ' ');
    const body = split < 0 ? '' : part.slice(split + 4);
    const contentType = /^content-type:\s*([^;\r\n]+)(.*)$/im.exec(head);
    const type = (contentType?.[1] ?? 'text/plain').trim().toLowerCase();
    lines.push(`${'  '.repeat(depth)}${type}`);
    if (!type.startsWith('multipart/')) return;
    const boundary = /boundary="?([^";\r\n]+)"?/i.exec(contentType?.[2] ?? '')?.[1];
    if (!boundary) return;
    const pieces = body.split(`--${boundary}`);
    for (const piece of pieces.slice(1)) {
      if (piece.startsWith('--')) break;
      walk(piece.replace(/^\r\n/, ''), depth + 1);
    }
  };
  walk(raw.toString('utf8'), 0);
  return lines.join('\n');
}

/** A 1×1 PNG, as bytes and as the data URL the account form sends. */
export const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
export const PNG_DATA_URL = `data:image/png;base64,${PNG_1X1.toString('base64')}`;

export async function upload(app: TestApp, token: string | null, filename: string, body: Buffer, contentType = 'application/octet-stream') {
  const res = await fetch(`${app.url}/files/upload?filename=${encodeURIComponent(filename)}`, {
    method: 'POST',
    // English, as `gql` asks for: the assertions on refusals are written in it.
    headers: { 'content-type': contentType, 'accept-language': 'en', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: new Uint8Array(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}
