import { onBeforeUnmount, ref, watch, type Ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { client, onReconnect } from '#graphql/client.ts';
import { useApiError } from '#shared/composables/useApiError.ts';
import { useLiveSubscription } from '#shared/composables/useLiveSubscription.ts';
import { TicketListUpdatesSubscription, TicketsQuery } from '../graphql/tickets.ts';
import { applyLiveTicket, matchesFilter, type InboxRow, type TicketFilter } from '../model/inbox-filter.ts';

const PAGE = 25;

/**
 * The inbox's rows for a filter: the first page whenever the filter changes or the live
 * connection comes back, further pages on demand (cursor pagination), and tickets that are
 * created or change while the list is open, put in their place or taken out.
 */
export function useTicketList(filter: Ref<TicketFilter>) {
  const { t } = useI18n();
  const { toastError } = useApiError();
  const rows = ref<InboxRow[]>([]);
  const total = ref(0);
  const endCursor = ref<string | null>(null);
  const hasMore = ref(false);
  const loading = ref(false);
  const loadingMore = ref(false);
  const loadError = ref(false);
  /** Tickets that arrived or changed while the inbox was open (highlighted). */
  const fresh = ref(new Set<string>());
  /** A page that arrives after the filter changed again belongs to an older list. */
  let generation = 0;

  async function loadFirst() {
    const mine = ++generation;
    loading.value = true;
    loadError.value = false;
    const result = await client.value.query(TicketsQuery, { first: PAGE, filter: filter.value }, { requestPolicy: 'network-only' }).toPromise();
    if (mine !== generation) return;
    loading.value = false;
    if (result.error || !result.data) {
      loadError.value = true;
      if (result.error) toastError(result.error, t('tickets.loadFailed'));
      return;
    }
    const c = result.data.tickets;
    rows.value = c.edges.map((e) => e.node);
    total.value = c.totalCount;
    endCursor.value = c.pageInfo.endCursor ?? null;
    hasMore.value = c.pageInfo.hasNextPage;
  }

  async function loadMore() {
    if (!endCursor.value) return;
    const mine = generation;
    loadingMore.value = true;
    const result = await client.value.query(TicketsQuery, { first: PAGE, after: endCursor.value, filter: filter.value }, { requestPolicy: 'network-only' }).toPromise();
    loadingMore.value = false;
    if (mine !== generation) return;
    if (result.error || !result.data) {
      if (result.error) toastError(result.error, t('tickets.loadFailed'));
      return;
    }
    const c = result.data.tickets;
    const known = new Set(rows.value.map((r) => r.id));
    rows.value = [...rows.value, ...c.edges.map((e) => e.node).filter((n) => !known.has(n.id))];
    total.value = c.totalCount;
    endCursor.value = c.pageInfo.endCursor ?? null;
    hasMore.value = c.pageInfo.hasNextPage;
  }

  watch(filter, () => void loadFirst(), { immediate: true, deep: true });
  const offReconnect = onReconnect(() => void loadFirst());
  onBeforeUnmount(offReconnect);

  useLiveSubscription(TicketListUpdatesSubscription, {}, (data) => {
    const ticket = data.ticketChanged;
    const belongs = matchesFilter(ticket, filter.value);
    const change = applyLiveTicket(rows.value, ticket, belongs);
    if (belongs) fresh.value = new Set([...fresh.value, ticket.id]);
    total.value = Math.max(0, total.value + change.totalDelta);
    rows.value = change.rows;
  });

  return { rows, total, hasMore, loading, loadingMore, loadError, fresh, loadFirst, loadMore };
}
