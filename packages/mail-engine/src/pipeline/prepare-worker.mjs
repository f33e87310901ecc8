// Worker threads do not inherit the TypeScript loader (and Node 20 ignores `--import` in a
// worker's execArgv), so the worker registers tsx itself before loading its TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import('./prepare-worker.ts');
