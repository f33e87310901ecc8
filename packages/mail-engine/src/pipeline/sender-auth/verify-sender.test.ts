import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { describe, expect, it } from 'vitest';
import { dkimKey, type DkimKey } from '../../../../../tests/helpers/dns-server.ts';
import { verifySender } from './verify-sender.ts';
import type { TxtResolver } from './dns-cache.ts';

// mailauth is patched (patches/mailauth@4.13.3.patch) to keep parsed DKIM keys, keyed by the
// text of the DNS record. These tests hold the patch to what it must never do: answer from the
// cache once the domain publishes another key, or keep a key that failed its checks.

const raw = Buffer.from('From: Ana <ana@loja.example>\r\nTo: support@acme.example\r\nSubject: Pedido\r\nMessage-ID: <k1@loja.example>\r\n\r\nOlá\r\n');

async function signed(key: DkimKey): Promise<Buffer> {
  // mailauth's typings omit signatureData, which its README documents and its code reads.
  const { signatures } = await dkimSign(raw, { signatureData: [{ signingDomain: key.domain, selector: key.selector, privateKey: key.privateKey }] } as never);
  return Buffer.concat([Buffer.from(signatures), raw]);
}

/** A DNS zone in memory: the unit under test is the verification, not the network. */
function zone(records: Map<string, string>): TxtResolver {
  return async (name) => {
    const record = records.get(name.toLowerCase());
    if (!record) throw Object.assign(new Error(`no record ${name}`), { code: 'ENOTFOUND' });
    return [[record]];
  };
}

describe('DKIM keys kept between messages', () => {
  it('verifies the same domain many times with the key it publishes', async () => {
    const key = dkimKey('loja.example', 's1');
    const records = new Map([[`s1._domainkey.loja.example`, key.record]]);
    const message = await signed(key);
    for (let i = 0; i < 3; i++) expect((await verifySender(message, {}, zone(records))).results.dkim[0]?.result).toBe('pass');
  });

  it('uses a rotated key at once: a message signed with the old key no longer passes', async () => {
    const oldKey = dkimKey('loja.example', 's2');
    const newKey = dkimKey('loja.example', 's2');
    const records = new Map([[`s2._domainkey.loja.example`, oldKey.record]]);
    const byOld = await signed(oldKey);
    expect((await verifySender(byOld, {}, zone(records))).results.dkim[0]?.result).toBe('pass');

    records.set('s2._domainkey.loja.example', newKey.record);
    expect((await verifySender(byOld, {}, zone(records))).results.dkim[0]?.result).toBe('fail');
    expect((await verifySender(await signed(newKey), {}, zone(records))).results.dkim[0]?.result).toBe('pass');
  });

  it('never keeps a record that is not a usable key', async () => {
    const key = dkimKey('loja.example', 's3');
    const records = new Map([[`s3._domainkey.loja.example`, 'v=DKIM1; k=rsa; p=bm90IGEga2V5']]);
    const message = await signed(key);
    expect((await verifySender(message, {}, zone(records))).results.dkim[0]?.result).not.toBe('pass');
    records.set('s3._domainkey.loja.example', key.record);
    expect((await verifySender(message, {}, zone(records))).results.dkim[0]?.result).toBe('pass');
  });
});

describe('results quoted from a stranger’s headers', () => {
  it('carry no NUL (jsonb refuses it) and never turn one domain into another', async () => {
    const key = dkimKey('loja.example', 's4');
    const records = new Map([[`s4._domainkey.loja.example`, key.record]]);
    const forged = Buffer.concat([Buffer.from('DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=lo\u0000ja.example; s=s4; h=from:subject; bh=YWJj; b=ZGVm\r\n', 'latin1'), raw]);
    const { verdict, results } = await verifySender(forged, {}, zone(records));
    expect(JSON.stringify(results)).not.toContain('\\u0000');
    expect(results.dkim[0]?.domain).toBe('lo\uFFFDja.example');
    expect(verdict).not.toBe('VERIFIED');
  });
});
