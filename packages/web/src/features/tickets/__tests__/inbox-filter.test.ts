import { describe, expect, it } from 'vitest';
import { applyLiveTicket, filterFromQuery, matchesFilter, OPEN_STATUSES, type InboxQuery, type InboxRow } from '../model/inbox-filter.ts';

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
    expect(filterFromQuery({ view: 'PENDING', q: '  #42 ', group: 'g1', type: 't1', account: 'a1', assignee: 'me' }, 'u1')).toEqual({
      status: ['PENDING'],
      groupId: 'g1',
      typeId: 't1',
      accountId: 'a1',
      assigneeId: 'u1',
      search: '#42',
    });
    expect(filterFromQuery({ ...none, view: 'all', assignee: 'u2' }, 'u1')).toEqual({ assigneeId: 'u2' });
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

  it('searches subject, customer and number like the API (case-insensitive, "#" optional)', () => {
    const ticket = row('t42');
    expect(matchesFilter(ticket, { search: 'PEDIDO' })).toBe(true);
    expect(matchesFilter(ticket, { search: 'souza' })).toBe(true);
    expect(matchesFilter(ticket, { search: 'ana@example' })).toBe(true);
    expect(matchesFilter(ticket, { search: '#42' })).toBe(true);
    expect(matchesFilter(ticket, { search: 'boleto' })).toBe(false);
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
