// The mail engine's public surface: everything the API and the process entry use.
export { MailEngine, type EngineOptions } from './engine.ts';
export { MAIL_ERROR_CODES, MailError, type MailErrorCode, type Phase } from './errors.ts';
export { toMailError } from './classify-error.ts';
export { Importer, type ImportResult } from './pipeline/importer.ts';
export { retryFailedImport } from './pipeline/retry-failed-import.ts';
export { replaceAttachmentPlaceholders } from './pipeline/sanitize-html.ts';
export { StatusRecorder } from './status/status-recorder.ts';
export { classifyStatus, INTERMITTENT_WINDOW_MS, type ConnectionState } from './status/classify-status.ts';
export { directionStatus, isDirectionDisabled, type DirectionStatus, type Direction } from './status/status-view.ts';
export { EMAIL_PROVIDERS, findProvider, providerForDomain, providerForMxHosts } from './settings/providers.ts';
export { defaultIncomingPort, defaultOutgoingPort } from './settings/default-ports.ts';
