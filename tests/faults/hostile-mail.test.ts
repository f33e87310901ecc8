import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDovecotAccount } from '../helpers/accounts.ts';
import { signUp } from '../helpers/app.ts';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { gqlOk } from '../helpers/graphql.ts';
import { sharedDatabase, spawnCorreio, type CorreioProcess, type SharedDatabase } from '../helpers/process.ts';
import { waitFor } from '../helpers/wait.ts';
import { hostileCorpus } from '../fixtures/hostile-corpus.ts';

let dovecot: Dovecot;
let db: SharedDatabase;
let proc: CorreioProcess;

beforeAll(async () => {
  dovecot = await startDovecot({ users: [{ user: 'hostile', password: 'pw' }] });
  db = await sharedDatabase();
  proc = await spawnCorreio(db.env);
});
afterAll(async () => {
  await proc?.stop();
  await dovecot?.stop();
  await db?.dispose();
});

describe('200 malformed or hostile messages', () => {
  it('never crashes; every message is imported sanitized, refused with a reason, or kept as a failed import', async () => {
    const corpus = hostileCorpus();
    await dovecot.deliverMany('hostile', corpus.map((m) => m.raw));
    const admin = await signUp(proc.url);
    const account = await connectDovecotAccount(proc.url, admin.token, dovecot, 'hostile', { incoming: { importExisting: 'ALL' } });

    const accounted = async () => {
      const data = await gqlOk(
        proc.url,
        `query($a: ID) { tickets(first: 100, filter: { search: "hostile" }) { totalCount } failedImports(accountId: $a) { id error } refusedMessages(accountId: $a) { subject } }`,
        { a: account.id },
        admin.token,
      );
      return { tickets: data.tickets.totalCount as number, failed: data.failedImports.length as number, refused: data.refusedMessages.length as number };
    };
    const final = await waitFor(async () => {
      const n = await accounted();
      return n.tickets + n.failed + n.refused >= corpus.length && n;
    }, 'all 200 messages to be accounted for', 240_000, 500);
    expect(final.tickets + final.failed + final.refused).toBe(corpus.length);
    expect(proc.proc.exitCode).toBeNull();

    // Nothing script-like survives into the HTML a browser would render.
    let after: string | null = null;
    const htmls: string[] = [];
    do {
      const page: any = (await gqlOk(proc.url, `query($a: String) { tickets(first: 50, after: $a, filter: { search: "hostile" }) { pageInfo { hasNextPage endCursor } edges { node { subject actions { html text } } } } }`, { a: after }, admin.token)).tickets;
      for (const e of page.edges) for (const a of e.node.actions) if (a.html) htmls.push(a.html);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(htmls.length).toBeGreaterThanOrEqual(25);
    for (const html of htmls) expect(html).not.toMatch(/<script|onerror|javascript:|<iframe|<form|<object|http-equiv/i);

    // Each failed import says why and keeps the raw bytes.
    const failed = (await gqlOk(proc.url, `query($a: ID) { failedImports(accountId: $a) { error size rawUrl } }`, { a: account.id }, admin.token)).failedImports as Array<{ error: string; size: number; rawUrl: string }>;
    for (const f of failed) {
      expect(f.error.length).toBeGreaterThan(5);
      const raw = await fetch(`${proc.url}${f.rawUrl}`);
      expect((await raw.arrayBuffer()).byteLength).toBe(f.size);
    }
    // The server keeps answering.
    expect((await fetch(`${proc.url}/healthz`)).status).toBe(200);
  }, 300_000);
});
