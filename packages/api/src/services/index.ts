import type { Runtime } from '@correio/core';
import { TokenService } from '../auth/tokens.ts';
import { FileUrls } from '../http/file-urls.ts';
import { AccountService } from './account-service.ts';
import { CatalogService } from './catalog-service.ts';
import { StatusService } from './status-service.ts';
import { TicketService } from './ticket-service.ts';
import { WorkspaceService } from './workspace-service.ts';

export function createServices(runtime: Runtime) {
  const tokens = new TokenService(runtime.keys.tokens, runtime.config.tokenTtlHours);
  return {
    tokens,
    files: new FileUrls(runtime.keys.fileUrls),
    workspaces: new WorkspaceService(runtime, tokens),
    accounts: new AccountService(runtime),
    catalog: new CatalogService(runtime),
    tickets: new TicketService(runtime),
    status: new StatusService(runtime),
  };
}

export type Services = ReturnType<typeof createServices>;
