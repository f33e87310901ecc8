import { describe, expect, it } from 'vitest';
import { newMessageId, threadHeaders, type ThreadMessage } from './threading.ts';

const inbound = (messageId: string | null, references: string[] = [], inReplyTo: string | null = null): ThreadMessage => ({ kind: 'EMAIL_IN', messageId, references, inReplyTo, delivery: null });
const outbound = (messageId: string, references: string[], delivery: ThreadMessage['delivery'] = 'SENT'): ThreadMessage => ({ kind: 'EMAIL_OUT', messageId, references, inReplyTo: references.at(-1) ?? null, delivery });
const note: ThreadMessage = { kind: 'NOTE', messageId: null, references: [], inReplyTo: null, delivery: null };

describe('threadHeaders', () => {
  it('answers the first message of a new ticket', () => {
    expect(threadHeaders([inbound('a@c')])).toEqual({ inReplyTo: 'a@c', references: ['a@c'] });
  });

  it('continues the customer’s own References chain', () => {
    expect(threadHeaders([inbound('b@c', ['x@old', 'y@old'])])).toEqual({ inReplyTo: 'b@c', references: ['x@old', 'y@old', 'b@c'] });
    expect(threadHeaders([inbound('b@c', [], 'y@old')])).toEqual({ inReplyTo: 'b@c', references: ['y@old', 'b@c'] });
  });

  it('follows our previous reply, keeps the ticket’s first message at the front and ignores notes', () => {
    const thread = [inbound('a@c'), outbound('r1@acme', ['a@c']), note, inbound('c@c', ['r1@acme'])];
    expect(threadHeaders(thread)).toEqual({ inReplyTo: 'c@c', references: ['a@c', 'r1@acme', 'c@c'] });
  });

  it('never answers a reply of ours that failed to go out', () => {
    const thread = [inbound('a@c'), outbound('r1@acme', ['a@c'], 'FAILED')];
    expect(threadHeaders(thread)).toEqual({ inReplyTo: 'a@c', references: ['a@c'] });
  });

  it('keeps References short: the root and the newest ancestors', () => {
    const long = Array.from({ length: 40 }, (_, i) => `m${i}@c`);
    const { references } = threadHeaders([inbound('m0@c'), inbound('last@c', long)]);
    expect(references).toHaveLength(20);
    expect(references[0]).toBe('m0@c');
    expect(references.at(-1)).toBe('last@c');
  });

  it('has nothing to thread on when no message has a Message-ID', () => {
    expect(threadHeaders([inbound(null), note])).toEqual({ inReplyTo: null, references: [] });
  });
});

describe('newMessageId', () => {
  it('is unique and on the account’s domain', () => {
    const a = newMessageId('Support@Acme.Example');
    expect(a).toMatch(/^[\w.-]+@acme\.example$/);
    expect(newMessageId('support@acme.example')).not.toBe(a);
    expect(newMessageId('broken')).toMatch(/@correio\.localhost$/);
  });
});
