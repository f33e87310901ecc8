import { defineTexts } from './define.ts';

/** Validation messages of GraphQL arguments (`validation.<what>`). */
export const validationTexts = defineTexts(
  {
    'validation.placeholder': 'Placeholder.',
  },
  {
    'validation.placeholder': 'Placeholder.',
  },
);
