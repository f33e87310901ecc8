export { startCorreio, type RunningCorreio } from './app.ts';
export { schema } from './schema/index.ts';
