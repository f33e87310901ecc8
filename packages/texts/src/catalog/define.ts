/**
 * One domain's texts: the English wording (its literal types give each code its parameters) and
 * the Brazilian Portuguese one, which the type forces to have exactly the same codes.
 */
export function defineTexts<const E extends Record<string, string>>(en: E, ptBR: { readonly [K in keyof E]: string }): { en: E; 'pt-BR': { readonly [K in keyof E]: string } } {
  return { en, 'pt-BR': ptBR };
}
