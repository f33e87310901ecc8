import { readFile } from 'node:fs/promises';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { parseDeliveryReport, type DeliveryReport } from './dsn.ts';

const fixture = (name: string) => readFile(new URL(`../../../../tests/fixtures/eml/${name}.eml`, import.meta.url));

const expected: Record<string, DeliveryReport> = {
  'dsn-postfix': {
    originalMessageId: 't42.r7.1793538301@correio.acme.com.br',
    recipients: [
      {
        address: 'cliente@exemplo.com.br',
        status: '5.1.1',
        action: 'failed',
        diagnostic: '550 5.1.1 <cliente@exemplo.com.br>: Recipient address rejected: User unknown in virtual mailbox table',
      },
    ],
    reason: '550 5.1.1 <cliente@exemplo.com.br>: Recipient address rejected: User unknown in virtual mailbox table',
  },
  'dsn-exchange': {
    originalMessageId: 't57.r2.1793538598@correio.acme.com.br',
    recipients: [
      {
        address: 'financeiro@contoso.com.br',
        status: '5.1.10',
        action: 'failed',
        diagnostic: '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup',
      },
      {
        address: 'compras@contoso.com.br',
        status: '5.2.2',
        action: 'failed',
        diagnostic: '554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded',
      },
    ],
    reason: '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup',
  },
  'dsn-gmail': {
    originalMessageId: 't88.r1.1793538752@correio.acme.com.br',
    recipients: [
      {
        address: 'naoexiste.cliente@gmail.com',
        status: '5.1.1',
        action: 'failed',
        diagnostic:
          "550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address " +
          'for typos or unnecessary spaces. For more information, go to https://support.google.com/mail/?p=NoSuchUser a1si1234567qkb.5 - gsmtp',
      },
    ],
    reason:
      "550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address " +
      'for typos or unnecessary spaces. For more information, go to https://support.google.com/mail/?p=NoSuchUser a1si1234567qkb.5 - gsmtp',
  },
};

describe('parseDeliveryReport', () => {
  it.each(Object.keys(expected))('reads %s.eml parsed with keepDeliveryStatus', async (name) => {
    const parsed = await simpleParser(await fixture(name), { keepDeliveryStatus: true });
    expect(parseDeliveryReport(parsed)).toEqual(expected[name]);
  });

  it.each(Object.keys(expected))("reads %s.eml parsed with mailparser's defaults (report inside the text)", async (name) => {
    const parsed = await simpleParser(await fixture(name));
    expect(parsed.attachments.some((a) => a.contentType === 'message/delivery-status')).toBe(false);
    expect(parseDeliveryReport(parsed)).toEqual(expected[name]);
  });

  it('reads the report parts kept aside by a streaming parse, skipping parts without content', () => {
    const status = 'Reporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; <ana@cliente.example>\nAction: failed\nStatus: 5.7.1\nDiagnostic-Code: smtp; 550 5.7.1 Message rejected as spam';
    const report = parseDeliveryReport({
      attachments: [{ contentType: 'message/rfc822' }],
      reportParts: [
        { contentType: 'message/delivery-status', content: Buffer.from(status) },
        { contentType: 'text/rfc822-headers', content: Buffer.from('From: a@acme.example\r\nMessage-ID: <abc@acme.example> (comment)\r\n') },
      ],
    });
    expect(report).toEqual({
      originalMessageId: 'abc@acme.example',
      recipients: [{ address: 'ana@cliente.example', status: '5.7.1', action: 'failed', diagnostic: '550 5.7.1 Message rejected as spam' }],
      reason: '550 5.7.1 Message rejected as spam',
    });
  });

  it('falls back to X-Original-Message-ID, and to Action and Status for the reason', () => {
    const status = [
      'Reporting-MTA: dns; googlemail.com',
      'X-Original-Message-ID: <t9.r1@correio.acme.com.br>',
      '',
      'Final-Recipient: rfc822; a@ok.example',
      'Action: delivered',
      'Status: 2.0.0',
      '',
      'Final-Recipient: rfc822; b@slow.example',
      'Action: failed',
      'Status: 4.4.7 (delivery time expired)',
    ].join('\r\n');
    const report = parseDeliveryReport({ attachments: [{ contentType: 'message/delivery-status', content: Buffer.from(status) }] });
    expect(report.originalMessageId).toBe('t9.r1@correio.acme.com.br');
    expect(report.recipients.map((r) => [r.address, r.action, r.status, r.diagnostic])).toEqual([
      ['a@ok.example', 'delivered', '2.0.0', null],
      ['b@slow.example', 'failed', '4.4.7', null],
    ]);
    expect(report.reason).toBe('failed 4.4.7');
  });

  it('has no reason when the report gives no details', () => {
    expect(parseDeliveryReport({ attachments: [], text: 'Your message could not be delivered.' })).toEqual({
      originalMessageId: null,
      recipients: [],
      reason: null,
    });
  });
});
