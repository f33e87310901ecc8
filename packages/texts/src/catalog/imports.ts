import { defineTexts } from './define.ts';

/** Why a message was not imported, was refused or held, or could not be delivered. */
export const importTexts = defineTexts(
  {
    'imports.placeholder': 'Placeholder.',
  },
  {
    'imports.placeholder': 'Placeholder.',
  },
);
