import { defineTexts } from './define.ts';

/** API errors (`api.<CODE>`) and their field-level codes. */
export const apiErrorTexts = defineTexts(
  {
    'api-errors.placeholder': 'Placeholder.',
  },
  {
    'api-errors.placeholder': 'Placeholder.',
  },
);
