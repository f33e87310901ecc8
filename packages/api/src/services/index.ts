import type { Runtime } from '@correio/core';
import { Importer, type MailEngine } from '@correio/mail-engine';
import { TokenService } from '../auth/tokens.ts';
import { FileUrls } from '../http/file-urls.ts';
import { AccountService } from './account-service.ts';
import { CannedReplyService } from './canned-reply-service.ts';
import { CatalogService } from './catalog-service.ts';
import { CheckService } from './check-service.ts';
import { ForwardService } from './forward-service.ts';
import { MailLogService } from './mail-log-service.ts';
import { MergeService } from './merge-service.ts';
import { OAuthService } from './oauth-service.ts';
import { OutboundTicketService } from './outbound-ticket-service.ts';
import { ReplyService } from './reply-service.ts';
import { SearchService } from './search-service.ts';
import { SignatureService } from './signature-service.ts';
import { StatusService } from './status-service.ts';
import { TicketService } from './ticket-service.ts';
import { WorkspaceService } from './workspace-service.ts';

/** `engine` is this process's mail engine, or null in an API-only process (imports then run here directly). */
export function createServices(runtime: Runtime, engine: MailEngine | null = null) {
  const tokens = new TokenService(runtime.keys.tokens, runtime.config.tokenTtlHours);
  const importer = engine?.importer ?? new Importer(runtime, { parseWorkers: 0 });
  const accounts = new AccountService(runtime);
  const status = new StatusService(runtime);
  const checks = new CheckService(runtime, engine, accounts, status);
  const tickets = new TicketService(runtime);
  const replies = new ReplyService(runtime);
  return {
    engine,
    importer,
    mailLog: new MailLogService(runtime, importer),
    tokens,
    files: new FileUrls(runtime.keys.fileUrls),
    workspaces: new WorkspaceService(runtime, tokens),
    accounts,
    catalog: new CatalogService(runtime),
    tickets,
    search: new SearchService(runtime, tickets),
    merges: new MergeService(runtime, tickets),
    cannedReplies: new CannedReplyService(runtime, tickets),
    signatures: new SignatureService(runtime),
    replies,
    outbound: new OutboundTicketService(runtime, tickets, replies),
    forwards: new ForwardService(runtime, replies),
    status,
    checks,
    oauth: new OAuthService(runtime, accounts, (viewer, accountId) => checks.testAccount(viewer, accountId)),
  };
}

export type Services = ReturnType<typeof createServices>;
