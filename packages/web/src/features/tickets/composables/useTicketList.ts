import type { CombinedError } from '@urql/core';
import { computed, onBeforeUnmount, ref, shallowRef, watch, type Ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { client, onReconnect } from '#graphql/client.ts';
import { fieldErrors } from '#graphql/errors.ts';
import { useApiError } from '#shared/composables/useApiError.ts';
import { useLiveSubscription } from '#shared/composables/useLiveSubscription.ts';
import { SearchTicketsQuery, TicketListUpdatesSubscription, TicketsQuery } from '../graphql/tickets.ts';
import { applyLiveHit, applyLiveTicket, matchesFilter, type InboxRow, type TicketFilter } from '../model/inbox-filter.ts';
import type { SearchHit } from '../model/search-hit.ts';

const PAGE = 25;

interface Page {
  rows: InboxRow[];
  hits: Array<[string, SearchHit]>;
  /** Null for search results: the search does not count its hits. */
  total: number | null;
  /** More tickets match than the API counts (10,000): `total` is that cap. */
  capped: boolean;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
}

/**
 * The inbox's rows for a filter, or the search hits for `search` within it (most relevant first):
 * the first page whenever either changes or the live connection comes back, further pages on
 * demand (cursor pagination), and tickets that are created or change while the list is open, put
 * in their place or taken out (search hits are only updated or taken out, see `applyLiveHit`).
 */
export function useTicketList(filter: Ref<TicketFilter>, search: Ref<string>) {
  const { t } = useI18n();
  const { toastError } = useApiError();
  const rows = ref<InboxRow[]>([]);
  /** Snippet and where it matched, by ticket id, while searching. */
  const hits = shallowRef(new Map<string, SearchHit>());
  const total = ref<number | null>(0);
  const totalCapped = ref(false);
  const endCursor = ref<string | null>(null);
  const hasMore = ref(false);
  const loading = ref(false);
  const loadingMore = ref(false);
  const loadError = ref(false);
  /** Tickets that arrived or changed while the inbox was open (highlighted). */
  const fresh = ref(new Set<string>());
  /** The search refused as a query (VALIDATION_FAILED): kept to word it again in a new locale. */
  const refusal = shallowRef<CombinedError | null>(null);
  const searchError = computed(() => (refusal.value ? (fieldErrors(refusal.value)['query'] ?? null) : null));
  /** A page that arrives after the filter changed again belongs to an older list. */
  let generation = 0;

  async function fetchPage(after: string | null): Promise<Page | { error: CombinedError | undefined }> {
    const variables = { first: PAGE, after, filter: filter.value };
    if (search.value) {
      const result = await client.value.query(SearchTicketsQuery, { ...variables, query: search.value }, { requestPolicy: 'network-only' }).toPromise();
      if (result.error || !result.data) return { error: result.error };
      const c = result.data.searchTickets;
      return { rows: c.edges.map((e) => e.node), hits: c.edges.map((e): [string, SearchHit] => [e.node.id, { snippet: e.snippet, matchedIn: e.matchedIn }]), total: null, capped: false, pageInfo: c.pageInfo };
    }
    const result = await client.value.query(TicketsQuery, variables, { requestPolicy: 'network-only' }).toPromise();
    if (result.error || !result.data) return { error: result.error };
    const c = result.data.tickets;
    return { rows: c.edges.map((e) => e.node), hits: [], total: c.totalCount, capped: c.totalCountIsCapped, pageInfo: c.pageInfo };
  }

  /** A query the API refuses is said under the search box, not in a toast. */
  function failed(error: CombinedError | undefined) {
    if (!error) return;
    if (search.value && fieldErrors(error)['query']) refusal.value = error;
    else toastError(error, t('tickets.loadFailed'));
  }

  function took(page: Page) {
    total.value = page.total;
    totalCapped.value = page.capped;
    endCursor.value = page.pageInfo.endCursor ?? null;
    hasMore.value = page.pageInfo.hasNextPage;
  }

  async function loadFirst() {
    const mine = ++generation;
    loading.value = true;
    loadError.value = false;
    const page = await fetchPage(null);
    if (mine !== generation) return;
    loading.value = false;
    refusal.value = null;
    if ('error' in page) {
      loadError.value = true;
      failed(page.error);
      // The rows of another search would pass for this one's.
      if (refusal.value) {
        rows.value = [];
        hasMore.value = false;
      }
      return;
    }
    rows.value = page.rows;
    hits.value = new Map(page.hits);
    took(page);
  }

  async function loadMore() {
    if (!endCursor.value) return;
    const mine = generation;
    loadingMore.value = true;
    const page = await fetchPage(endCursor.value);
    loadingMore.value = false;
    if (mine !== generation) return;
    if ('error' in page) return failed(page.error);
    const known = new Set(rows.value.map((r) => r.id));
    rows.value = [...rows.value, ...page.rows.filter((n) => !known.has(n.id))];
    hits.value = new Map([...hits.value, ...page.hits]);
    took(page);
  }

  watch([filter, search], () => void loadFirst(), { immediate: true, deep: true });
  const offReconnect = onReconnect(() => void loadFirst());
  onBeforeUnmount(offReconnect);

  useLiveSubscription(TicketListUpdatesSubscription, {}, (data) => {
    const ticket = data.ticketChanged;
    const belongs = matchesFilter(ticket, filter.value);
    if (search.value) {
      rows.value = applyLiveHit(rows.value, ticket, belongs);
      return;
    }
    const change = applyLiveTicket(rows.value, ticket, belongs);
    if (belongs) fresh.value = new Set([...fresh.value, ticket.id]);
    // Beyond the cap the count is not known to the unit: "10,000+" stays "10,000+".
    if (!totalCapped.value) total.value = Math.max(0, (total.value ?? 0) + change.totalDelta);
    rows.value = change.rows;
  });

  return { rows, hits, total, totalCapped, hasMore, loading, loadingMore, loadError, fresh, searchError, loadFirst, loadMore };
}
