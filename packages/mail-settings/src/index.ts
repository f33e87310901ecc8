export * from './enums.ts';
export * from './default-ports.ts';
export * from './providers.ts';
