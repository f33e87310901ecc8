// Checks and live status of accounts (A8–A10). In a file of their own, after account.ts: they
// use both EmailAccount and AccountStatus, and account.ts already imports account-status.ts.
import { filter, map, pipe } from 'graphql-yoga';
import { builder } from '../builder.ts';
import type { AccountRow } from '@correio/core';
import { EmailAccountInput, EmailAccountRef } from './account.ts';
import { AccountStatusRef } from './account-status.ts';

builder.mutationFields((t) => ({
  testEmailAccount: t.withAuth({ admin: true }).field({
    type: AccountStatusRef,
    description:
      'Checks a saved account now — DNS, connect, TLS, greeting, login, folder (incoming) and EHLO + login without sending (outgoing) — and returns the fresh status with each step’s result. The result is also published to `accountStatusChanged`.',
    args: { id: t.arg.id({ required: true, description: 'Account id.' }) },
    resolve: (_root, args, ctx) => ctx.services.checks.testAccount(ctx.viewer, String(args.id)),
  }),
  testEmailSettings: t.withAuth({ admin: true }).field({
    type: AccountStatusRef,
    description: 'Checks settings that are not saved yet (“save and test”, A8). Nothing is stored or published.',
    args: {
      input: t.arg({ type: EmailAccountInput, required: true, description: 'The settings as typed in the form.' }),
      accountId: t.arg.id({ description: 'The account being edited: omitted passwords are then the stored ones, as on update.' }),
    },
    resolve: (_root, args, ctx) => ctx.services.checks.testSettings(ctx.viewer, args.input, args.accountId ? String(args.accountId) : null),
  }),
  refreshAccountStatuses: t.withAuth({ admin: true }).field({
    type: [EmailAccountRef],
    description:
      'Re-tests every account of the workspace; what the accounts screen calls when opened (A10). Returns at once with the accounts in CHECKING; each result follows on `accountStatusChanged` as it arrives.',
    resolve: (_root, _args, ctx) => ctx.services.checks.refresh(ctx.viewer),
  }),
}));

builder.subscriptionField('accountStatusChanged', (t) =>
  t.withAuth({ admin: true }).field({
    type: EmailAccountRef,
    description: 'Every status change of the workspace’s accounts (CHECKING, results of checks, live traffic, time-based changes); with `accountId`, of that account only.',
    args: { accountId: t.arg.id({ description: 'Only this account.' }) },
    subscribe: (_root, args, ctx) =>
      pipe(
        ctx.runtime.events.pubsub.subscribe('accountStatusChanged', ctx.viewer.workspaceId),
        filter((event) => !args.accountId || event.accountId === String(args.accountId)),
        // Loaded through the subscriber's own workspace scope; a removed account is skipped, not an error.
        map((event) => ctx.services.accounts.get(ctx.viewer, event.accountId)),
        filter((account): account is AccountRow => account !== null),
      ),
    resolve: (account) => account,
  }),
);
