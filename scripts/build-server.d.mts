/** Builds the server's packages to packages/{pkg}/dist; returns how long it took (ms). */
export function buildServer(): number;
/** Whether packages/api/dist is newer than every server source. */
export function serverBuildIsCurrent(): boolean;
export function newestServerSource(): number;
export const SERVER_PACKAGES: string[];
export const BUILD_STAMP: string;
