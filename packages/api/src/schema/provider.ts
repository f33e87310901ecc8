import { EMAIL_PROVIDERS, type EmailProvider, type ServerPreset } from '@correio/mail-engine/providers';
import { builder } from '../builder.ts';
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
    authHint: t.string({ nullable: true, description: 'What usually has to be done before the password works (app passwords, enabling IMAP…).', resolve: (p) => p.authHint ?? null }),
  }),
});

builder.queryField('emailProviders', (t) =>
  t.field({
    type: [EmailProviderRef],
    description: 'Provider presets for the account form (Gmail, Outlook/Microsoft 365, Yahoo, iCloud, Zoho, UOL, Locaweb, KingHost, HostGator Brasil, Terra).',
    resolve: () => [...EMAIL_PROVIDERS],
  }),
);
