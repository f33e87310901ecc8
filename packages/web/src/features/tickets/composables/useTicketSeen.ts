import { reactive, watch } from 'vue';
import { session } from '#shared/composables/useSession.ts';

interface SeenState {
  /** Tickets last changed before this moment count as read (first use of this browser). */
  since: string;
  tickets: Record<string, string>;
}

const state = reactive<{ key: string | null; data: SeenState }>({ key: null, data: { since: new Date().toISOString(), tickets: {} } });

function load(userId: string) {
  const key = `correio.seen.${userId}`;
  if (state.key === key) return;
  state.key = key;
  try {
    const raw = localStorage.getItem(key);
    state.data = raw ? (JSON.parse(raw) as SeenState) : { since: new Date().toISOString(), tickets: {} };
  } catch {
    state.data = { since: new Date().toISOString(), tickets: {} };
  }
}

function save() {
  if (!state.key) return;
  // Only the 500 most recently seen tickets are remembered.
  const entries = Object.entries(state.data.tickets).sort((a, b) => (a[1] < b[1] ? 1 : -1));
  if (entries.length > 500) state.data.tickets = Object.fromEntries(entries.slice(0, 500));
  try {
    localStorage.setItem(state.key, JSON.stringify(state.data));
  } catch {
    // storage full or disabled: the marker lasts for this tab
  }
}

/**
 * Unread marker per agent and browser: a ticket is unread when it changed after the agent last
 * opened it. Kept in localStorage (the API has no read state).
 */
export function useTicketSeen() {
  watch(
    () => session.user?.id,
    (id) => id && load(id),
    { immediate: true },
  );
  return {
    isUnread(ticket: { id: string; updatedAt: string }): boolean {
      const seen = state.data.tickets[ticket.id] ?? state.data.since;
      return ticket.updatedAt > seen;
    },
    markSeen(ticket: { id: string; updatedAt: string }): void {
      const current = state.data.tickets[ticket.id];
      if (current && current >= ticket.updatedAt) return;
      state.data.tickets[ticket.id] = ticket.updatedAt;
      save();
    },
  };
}
