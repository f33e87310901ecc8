import { apiErrorTexts } from './api-errors.ts';
import { importTexts } from './imports.ts';
import { mailErrorTexts } from './mail-errors.ts';
import { providerTexts } from './providers.ts';
import { senderAuthTexts } from './sender-auth.ts';
import { statusTexts } from './status.ts';
import { ticketTexts } from './tickets.ts';
import { validationTexts } from './validation.ts';

const domains = [mailErrorTexts, providerTexts, statusTexts, apiErrorTexts, validationTexts, importTexts, senderAuthTexts, ticketTexts] as const;

/** Every domain's texts in one table per locale (codes are namespaced, so domains never collide). */
export const CATALOG = {
  en: { ...mailErrorTexts.en, ...providerTexts.en, ...statusTexts.en, ...apiErrorTexts.en, ...validationTexts.en, ...importTexts.en, ...senderAuthTexts.en, ...ticketTexts.en },
  'pt-BR': { ...mailErrorTexts['pt-BR'], ...providerTexts['pt-BR'], ...statusTexts['pt-BR'], ...apiErrorTexts['pt-BR'], ...validationTexts['pt-BR'], ...importTexts['pt-BR'], ...senderAuthTexts['pt-BR'], ...ticketTexts['pt-BR'] },
};

/** For the completeness test: a code defined by two domains would silently shadow one wording. */
export const DOMAIN_CODE_COUNTS = domains.map((d) => Object.keys(d.en).length);
