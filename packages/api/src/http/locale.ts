import { DEFAULT_LOCALE, type Locale } from '@correio/texts';
import Negotiator from 'negotiator';

/** The languages server texts exist in, in the order a tie is decided. */
const AVAILABLE: Locale[] = ['pt-BR', 'en'];

/**
 * The locale of an `Accept-Language` value. negotiator (express's own content negotiation) reads
 * quality values and matches `en-GB` to `en` and `pt` to `pt-BR`; a browser speaking neither gets
 * the default, pt-BR — Correio's first users are Brazilian help desks.
 */
export function requestLocale(acceptLanguage: string | null | undefined): Locale {
  if (!acceptLanguage) return DEFAULT_LOCALE;
  const chosen = new Negotiator({ headers: { 'accept-language': acceptLanguage } }).language(AVAILABLE);
  return AVAILABLE.find((l) => l === chosen) ?? DEFAULT_LOCALE;
}
