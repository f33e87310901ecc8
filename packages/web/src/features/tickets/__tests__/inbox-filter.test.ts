import { describe, expect, it } from 'vitest';
import { applyLiveHit, applyLiveTicket, filterFromQuery, matchesFilter, OPEN_STATUSES, searchFromQuery, searchParam, type InboxQuery, type InboxRow } from '../model/inbox-filter.ts';

const none: InboxQuery = { view: '', q: '', group: '', type: '', account: '', assignee: '' };

const row = (id: string, patch: Partial<InboxRow> = {}): InboxRow => ({
  id,
  number: Number(id.replace(/\D/g, '')) || 1,
  subject: 'Pedido não chegou',
  status: 'OPEN',
  createdAt: '2026-01-01T10:00:00.000Z',
  updatedAt: '2026-01-01T10:00:00.000Z',
  customer: { id: 'c1', name: 'Ana Souza', email: 'ana@example.com' },
  group: { id: 'g1', name: 'SAC' },
  type: null,
  account: { id: 'a1', name: 'Suporte', address: 'suporte@loja.com.br' },
  assignee: null,
  ...patch,
});

describe('inbox filters from the URL', () => {
  it('shows the open tickets when nothing is chosen', () => {
    expect(filterFromQuery(none, 'u1')).toEqual({ status: OPEN_STATUSES });
  });

  it('maps every URL filter onto the API filter, "me" onto the logged-in agent', () => {
    expect(filterFromQuery({ view: 'PENDING', q: '', group: 'g1', type: 't1', account: 'a1', assignee: 'me' }, 'u1')).toEqual({
      status: ['PENDING'],
      groupId: 'g1',
      typeId: 't1',
      accountId: 'a1',
      assigneeId: 'u1',
    });
    expect(filterFromQuery({ ...none, view: 'all', assignee: 'u2' }, 'u1')).toEqual({ assigneeId: 'u2' });
  });

  it('keeps the search out of the filter: it is a full-text search of its own, narrowed by the same filters', () => {
    const query = { ...none, view: 'all', q: '  notas fiscais -boleto ', group: 'g1' };
    expect(filterFromQuery(query, 'u1')).toEqual({ groupId: 'g1' });
    expect(searchFromQuery(query)).toBe('notas fiscais -boleto');
    expect(searchFromQuery(none)).toBe('');
  });

  it('puts what is typed in the URL as it will be searched, and an empty box not at all', () => {
    expect(searchParam('  "nota fiscal" ')).toBe('"nota fiscal"');
    expect(searchParam('   ')).toBeNull();
    expect(searchFromQuery({ q: searchParam(' #42 ') ?? '' })).toBe('#42');
  });
});

describe('live tickets in a filtered inbox', () => {
  it('belongs only when it passes every filter', () => {
    const ticket = row('t1', { assignee: { id: 'u1', name: 'Bruno' } });
    expect(matchesFilter(ticket, filterFromQuery(none, 'u1'))).toBe(true);
    expect(matchesFilter(ticket, { status: ['CLOSED'] })).toBe(false);
    expect(matchesFilter(ticket, { groupId: 'g2' })).toBe(false);
    expect(matchesFilter(ticket, { typeId: 't1' })).toBe(false);
    expect(matchesFilter(ticket, { accountId: 'a1', assigneeId: 'u1' })).toBe(true);
  });

  it('puts a ticket in its place by last activity, and counts it once', () => {
    const rows = [row('t3', { updatedAt: '2026-01-03T00:00:00.000Z' }), row('t1', { updatedAt: '2026-01-01T00:00:00.000Z' })];
    const arrived = applyLiveTicket(rows, row('t2', { updatedAt: '2026-01-02T00:00:00.000Z' }), true);
    expect(arrived.rows.map((r) => r.id)).toEqual(['t3', 't2', 't1']);
    expect(arrived.totalDelta).toBe(1);

    const changed = applyLiveTicket(arrived.rows, row('t1', { updatedAt: '2026-01-04T00:00:00.000Z' }), true);
    expect(changed.rows.map((r) => r.id)).toEqual(['t1', 't3', 't2']);
    expect(changed.totalDelta).toBe(0);
  });

  it('takes out a ticket that no longer matches, and ignores one that never did', () => {
    const rows = [row('t1'), row('t2')];
    expect(applyLiveTicket(rows, row('t1', { status: 'CLOSED' }), false)).toEqual({ rows: [rows[1]], totalDelta: -1 });
    expect(applyLiveTicket(rows, row('t9'), false)).toEqual({ rows, totalDelta: 0 });
  });
});

describe('live tickets among search hits', () => {
  it('updates a hit in its place, by relevance, not by activity', () => {
    const rows = [row('t1'), row('t2')];
    const changed = row('t2', { status: 'PENDING', updatedAt: '2026-02-01T00:00:00.000Z' });
    expect(applyLiveHit(rows, changed, true)).toEqual([rows[0], changed]);
  });

  it('takes out a hit that left the filters, and adds no ticket the search did not find', () => {
    const rows = [row('t1'), row('t2')];
    expect(applyLiveHit(rows, row('t1', { status: 'CLOSED' }), false)).toEqual([rows[1]]);
    expect(applyLiveHit(rows, row('t9'), true)).toBe(rows);
  });
});
