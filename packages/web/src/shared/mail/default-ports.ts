// The API's own port defaults (pure, dependency-free), so the form fills ports exactly as the server does.
export { defaultIncomingPort, defaultOutgoingPort, type EncryptionName, type IncomingProtocolName } from '@correio/mail-settings';
