/** something@domain.tld, ignoring surrounding spaces: enough to catch a typo before the server answers. */
export function looksLikeEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim());
}
