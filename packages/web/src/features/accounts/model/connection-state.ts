import type { ConnectionState } from '#graphql/enums.ts';
import { CONNECTION_STATES } from '#i18n/enum-values.ts';
import type { BadgeTone } from '#shared/components/CommonBadge.vue';

export const STATE_TONE: Record<ConnectionState, BadgeTone> = {
  OK: 'ok',
  INTERMITTENT: 'warn',
  ERROR: 'danger',
  CHECKING: 'info',
  DISABLED: 'neutral',
  UNKNOWN: 'outline',
  NOT_CONFIGURED: 'neutral',
};

/** The states the legend explains: all but UNKNOWN (never shown once an account was checked). */
export const STATES = CONNECTION_STATES.filter((state) => state !== 'UNKNOWN');
