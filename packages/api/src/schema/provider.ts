import { providerAuthHint, renderText } from '@correio/texts';
import type { ProviderDetection } from '@correio/mail-engine';
import { EMAIL_PROVIDERS, type EmailProvider, type ServerPreset } from '@correio/mail-settings';
import { builder } from '../builder.ts';
import { LocalizedTextRef } from './localized-text.ts';
import { EncryptionEnum } from './enums.ts';

const ServerPresetRef = builder.objectRef<ServerPreset>('ServerPreset').implement({
  description: 'Recommended server settings of a provider.',
  fields: (t) => ({
    protocol: t.exposeString('protocol', { description: '`IMAP`, `POP3` or `SMTP`.' }),
    host: t.exposeString('host', { description: 'Server host name; `{domain}` stands for the domain of the account’s address.' }),
    port: t.exposeInt('port', { description: 'Server port.' }),
    encryption: t.expose('encryption', { type: EncryptionEnum, description: 'Connection encryption.' }),
  }),
});

const EmailProviderRef = builder.objectRef<EmailProvider>('EmailProvider').implement({
  description: 'A known mail provider with preset server settings (A2).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable identifier, used as `providerId`.' }),
    name: t.exposeString('name', { description: 'Display name.' }),
    incoming: t.field({ type: [ServerPresetRef], description: 'Receiving servers, recommended first.', resolve: (p) => p.incoming }),
    outgoing: t.field({ type: [ServerPresetRef], description: 'Sending servers, recommended first.', resolve: (p) => p.outgoing }),
    domains: t.stringList({ description: 'Address domains that belong to this provider.', resolve: (p) => p.domains }),
    authHint: t.string({
      nullable: true,
      description: 'What usually has to be done before the password works (app passwords, enabling IMAP…), in the request’s language.',
      resolve: (p, _a, ctx) => {
        const hint = providerAuthHint(p.id);
        return hint ? renderText(hint, ctx.locale) : null;
      },
    }),
    authHintText: t.field({ type: LocalizedTextRef, nullable: true, description: '`authHint` as a text code, for clients that word it themselves.', resolve: (p) => providerAuthHint(p.id) }),
  }),
});

builder.queryField('emailProviders', (t) =>
  t.field({
    type: [EmailProviderRef],
    description: 'Provider presets for the account form (Gmail, Outlook/Microsoft 365, Yahoo, iCloud, Zoho, UOL, Locaweb, KingHost, HostGator Brasil, Terra).',
    resolve: () => [...EMAIL_PROVIDERS],
  }),
);

const DetectionSourceEnum = builder.enumType('ProviderDetectionSource', {
  description: 'How a provider was recognized from an address.',
  values: {
    DOMAIN: { description: 'The address’s domain belongs to the provider (gmail.com, uol.com.br…).' },
    MX: { description: 'The domain’s MX records point at the provider (Google Workspace, Microsoft 365, Locaweb…).' },
    NONE: { description: 'Not recognized; the admin fills in the servers.' },
  } as const,
});

const ProviderDetectionRef = builder.objectRef<ProviderDetection>('ProviderDetection').implement({
  description: 'What typing an address in the account form fills in (A2).',
  fields: (t) => ({
    domain: t.exposeString('domain', { description: 'The address’s domain (empty when the address has none).' }),
    provider: t.field({ type: EmailProviderRef, nullable: true, description: 'The recognized provider, or null.', resolve: (d) => d.provider }),
    source: t.expose('source', { type: DetectionSourceEnum, description: 'How it was recognized.' }),
    mxHosts: t.exposeStringList('mxHosts', { description: 'The domain’s MX hosts, best first (empty when the domain belongs to a provider outright).' }),
    incoming: t.field({ type: [ServerPresetRef], description: 'Receiving presets with `{domain}` filled in, recommended first.', resolve: (d) => d.incoming }),
    outgoing: t.field({ type: [ServerPresetRef], description: 'Sending presets with `{domain}` filled in, recommended first.', resolve: (d) => d.outgoing }),
    message: t.string({ description: 'One sentence for the form, e.g. why nothing was recognized, in the request’s language.', resolve: (d, _a, ctx) => renderText(d.messageText, ctx.locale) }),
    messageText: t.field({ type: LocalizedTextRef, description: '`message` as a text code.', resolve: (d) => d.messageText }),
  }),
});

builder.queryField('detectEmailProvider', (t) =>
  t.withAuth({ admin: true }).field({
    type: ProviderDetectionRef,
    description: 'Recognizes the provider of an address from its domain, or else from the domain’s MX records, to fill the account form.',
    args: { address: t.arg.string({ required: true, description: 'The e-mail address being typed.' }) },
    resolve: (_root, args, ctx) => ctx.services.checks.detectProvider(args.address),
  }),
);
