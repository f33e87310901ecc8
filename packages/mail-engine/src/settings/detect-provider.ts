import { renderText, text, type ServerText } from '@correio/texts';
import type { DnsResolver } from '../util/dns-resolver.ts';
import { expandHost, providerForDomain, providerForMxHosts, type EmailProvider, type ServerPreset } from '@correio/mail-settings';

export type DetectionSource = 'DOMAIN' | 'MX' | 'NONE';

export interface ProviderDetection {
  domain: string;
  provider: EmailProvider | null;
  /** How the provider was recognized: the address's own domain, the domain's MX hosts, or not at all. */
  source: DetectionSource;
  /** The domain's MX hosts, best first (empty when not looked up or none exist). */
  mxHosts: string[];
  /** The provider's presets with `{domain}` filled in; empty when nothing was recognized. */
  incoming: ServerPreset[];
  outgoing: ServerPreset[];
  /** One sentence for the form, e.g. why nothing was recognized (English, for logs). */
  message: string;
  /** The same as a text code, worded in the reader's language (issue 14). */
  messageText: ServerText;
}

/**
 * Fills the account form from an address: a provider that owns the domain outright (gmail.com,
 * uol.com.br) is known at once; a company domain is recognized by where its MX records point
 * (Google Workspace, Microsoft 365, Locaweb…). A failing lookup is an answer ("fill in the
 * servers"), never an error: the admin can always type the settings.
 */
export async function detectProvider(address: string, resolver: DnsResolver): Promise<ProviderDetection> {
  const domain = domainOf(address);
  const none = (said: ServerText, mxHosts: string[] = []): ProviderDetection => ({ domain, provider: null, source: 'NONE', mxHosts, incoming: [], outgoing: [], message: renderText(said, 'en'), messageText: said });
  if (!domain) return none(text('provider.detect.wholeAddress'));

  const owner = providerForDomain(domain);
  if (owner) return found(domain, owner, 'DOMAIN', [], text('provider.detect.owner', { domain, provider: owner.name }));

  let mxHosts: string[];
  try {
    const records = await resolver.resolveMx(domain);
    mxHosts = records
      .slice()
      .sort((a, b) => a.priority - b.priority)
      .map((r) => r.exchange.toLowerCase().replace(/\.$/, ''))
      .filter(Boolean);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') return none(text('provider.detect.noMx', { domain }));
    return none(text('provider.detect.lookupFailed', { domain }));
  }
  if (!mxHosts.length) return none(text('provider.detect.noMx', { domain }));
  const hosted = providerForMxHosts(mxHosts);
  if (hosted) return found(domain, hosted, 'MX', mxHosts, text('provider.detect.hosted', { domain, provider: hosted.name, mx: mxHosts[0]! }));
  return none(text('provider.detect.unknownHost', { domain, mx: mxHosts[0]! }), mxHosts);
}

function found(domain: string, provider: EmailProvider, source: DetectionSource, mxHosts: string[], said: ServerText): ProviderDetection {
  const expand = (p: ServerPreset): ServerPreset => ({ ...p, host: expandHost(p.host, domain) });
  return { domain, provider, source, mxHosts, incoming: provider.incoming.map(expand), outgoing: provider.outgoing.map(expand), message: renderText(said, 'en'), messageText: said };
}

function domainOf(address: string): string {
  const at = address.trim().lastIndexOf('@');
  const domain = (at >= 0 ? address.trim().slice(at + 1) : '').toLowerCase().replace(/\.$/, '');
  // A label-shaped domain with at least one dot; anything else is not worth a DNS query.
  return /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/.test(domain) ? domain : '';
}
