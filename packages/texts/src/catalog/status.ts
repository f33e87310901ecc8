import { defineTexts } from './define.ts';

/** Connection states explained and the steps of a connection check. */
export const statusTexts = defineTexts(
  {
    'status.placeholder': 'Placeholder.',
  },
  {
    'status.placeholder': 'Placeholder.',
  },
);
