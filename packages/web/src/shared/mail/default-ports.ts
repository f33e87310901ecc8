// The API's own port defaults (pure, dependency-free), so the form fills ports exactly as the server does.
export { defaultIncomingPort, defaultOutgoingPort } from '../../../../mail-engine/src/settings/default-ports.ts';
export type { EncryptionName, IncomingProtocolName } from '../../../../mail-engine/src/settings/default-ports.ts';
