import { defineTexts } from './define.ts';

/** What a provider needs before its password works (`provider.<id>.authHint`), shown on the account form and on AUTH_FAILED. */
export const providerTexts = defineTexts(
  {
    'provider.gmail.authHint': 'Google refuses the normal account password: turn on 2-step verification and create an app password (myaccount.google.com › Security › App passwords), or connect with OAuth.',
    'provider.outlook.authHint': 'Microsoft 365 disables basic authentication by default: enable IMAP/POP and "Authenticated SMTP" for this mailbox in the admin center, or use OAuth (XOAUTH2).',
    'provider.yahoo.authHint': 'Yahoo requires an app password for mail programs: Account security › Generate app password.',
    'provider.icloud.authHint': 'iCloud needs an app-specific password (appleid.apple.com › Sign-In and Security), and the user name is the address without @icloud.com for IMAP.',
    'provider.zoho.authHint': 'Zoho needs IMAP access enabled in Settings › Mail Accounts, and an app-specific password when two-factor authentication is on.',
    'provider.detect.wholeAddress': 'Type the whole address (name@domain) to look up its provider.',
    'provider.detect.owner': '{domain} is {provider}.',
    'provider.detect.noMx': '{domain} has no mail servers (no MX records); check the address, or fill in the servers by hand.',
    'provider.detect.lookupFailed': 'Could not look up the mail servers of {domain} right now; fill in the servers by hand.',
    'provider.detect.hosted': '{domain} receives its mail at {provider} (MX {mx}).',
    'provider.detect.unknownHost': '{domain} receives its mail at {mx}, which is not a provider Correio knows; fill in the servers your host gave you.',
  },
  {
    'provider.gmail.authHint': 'O Google recusa a senha normal da conta: ative a verificação em duas etapas e crie uma senha de app (myaccount.google.com › Segurança › Senhas de app), ou conecte com OAuth.',
    'provider.outlook.authHint': 'O Microsoft 365 desativa a autenticação básica por padrão: habilite IMAP/POP e “SMTP autenticado” para esta caixa no centro de administração, ou use OAuth (XOAUTH2).',
    'provider.yahoo.authHint': 'O Yahoo exige uma senha de app para programas de e-mail: Segurança da conta › Gerar senha de app.',
    'provider.icloud.authHint': 'O iCloud precisa de uma senha específica de app (appleid.apple.com › Início de sessão e segurança), e o usuário do IMAP é o endereço sem @icloud.com.',
    'provider.zoho.authHint': 'O Zoho precisa do acesso IMAP habilitado em Configurações › Contas de e-mail, e de uma senha específica de app quando a verificação em duas etapas está ativa.',
    'provider.detect.wholeAddress': 'Digite o endereço completo (nome@domínio) para descobrir o provedor.',
    'provider.detect.owner': '{domain} é {provider}.',
    'provider.detect.noMx': '{domain} não tem servidores de e-mail (nenhum registro MX); confira o endereço ou preencha os servidores manualmente.',
    'provider.detect.lookupFailed': 'Não foi possível consultar agora os servidores de e-mail de {domain}; preencha os servidores manualmente.',
    'provider.detect.hosted': '{domain} recebe seus e-mails em {provider} (MX {mx}).',
    'provider.detect.unknownHost': '{domain} recebe seus e-mails em {mx}, que não é um provedor que o Correio conheça; preencha os servidores que seu provedor informou.',
  },
);
