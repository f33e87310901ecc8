import { describe, expect, it } from 'vitest';
import { conversationOf, newConversation, replyThreadIndex } from './thread-index.ts';

describe('Outlook Thread-Index', () => {
  // Shaped like an Outlook reply's Thread-Index: a 22-byte conversation and one 5-byte child block.
  const outlook = 'AdlIcSJ0pOWvqk9LQp2QZQ1DUjRxbAAABwmw';

  it('reads the conversation of an Outlook message, and refuses what is not one', () => {
    expect(conversationOf(outlook)).toBe(Buffer.from(outlook, 'base64').subarray(0, 22).toString('base64'));
    expect(conversationOf(Buffer.from(outlook, 'base64').subarray(0, 22).toString('base64'))).toBe(conversationOf(outlook));
    expect(conversationOf('bm90IGFuIGluZGV4')).toBeNull();
    expect(conversationOf(null)).toBeNull();
  });

  it('writes replies that stay in their conversation, later ones sorting after earlier ones', () => {
    const start = new Date('2026-11-30T10:00:00Z');
    const conversation = newConversation(start);
    expect(Buffer.from(conversation, 'base64')).toHaveLength(22);
    const first = replyThreadIndex(conversation, new Date('2026-11-30T10:05:00Z'));
    const later = replyThreadIndex(conversation, new Date('2026-12-01T09:00:00Z'));
    expect(conversationOf(first)).toBe(conversation);
    expect(conversationOf(later)).toBe(conversation);
    expect(Buffer.from(first, 'base64')).toHaveLength(27);
    expect(Buffer.from(later, 'base64').readUInt32BE(22)).toBeGreaterThan(Buffer.from(first, 'base64').readUInt32BE(22));
  });
});
