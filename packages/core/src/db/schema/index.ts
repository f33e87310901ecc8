export * from './enums.ts';
export * from './workspace.ts';
export * from './catalog.ts';
export * from './account.ts';
export * from './ticket.ts';
export * from './mail.ts';
export * from './oauth.ts';
export * from './canned-reply.ts';
