import { EMAIL_PROVIDERS, findProvider, providerForDomain, type EmailProvider } from '@correio/mail-settings';

/**
 * The provider an account talks to, for its AUTH_FAILED hint: the preset it was made from, else
 * the provider owning its address's domain, else the provider whose servers it uses (an admin
 * who typed imap.gmail.com by hand still needs Google's app-password advice).
 */
export function providerOf(account: { providerId: string | null; address: string; incomingHost: string | null; outgoingHost: string | null }): EmailProvider | undefined {
  const byId = findProvider(account.providerId);
  if (byId) return byId;
  const domain = account.address.split('@')[1];
  const byDomain = domain ? providerForDomain(domain) : undefined;
  if (byDomain) return byDomain;
  const hosts = [account.incomingHost, account.outgoingHost].filter((h): h is string => !!h).map((h) => h.toLowerCase());
  return EMAIL_PROVIDERS.find((p) => [...p.incoming, ...p.outgoing].some((preset) => !preset.host.includes('{') && hosts.includes(preset.host)));
}
