import type { BadgeTone } from '#shared/components/CommonBadge.vue';

export type ConnectionState = 'UNKNOWN' | 'CHECKING' | 'OK' | 'INTERMITTENT' | 'ERROR' | 'DISABLED';

export const STATE_TONE: Record<ConnectionState, BadgeTone> = {
  OK: 'ok',
  INTERMITTENT: 'warn',
  ERROR: 'danger',
  CHECKING: 'info',
  DISABLED: 'neutral',
  UNKNOWN: 'outline',
};

export const STATES: ConnectionState[] = ['OK', 'INTERMITTENT', 'ERROR', 'CHECKING', 'DISABLED'];
