import type { Runtime } from '@correio/core';
import { getOperationAST, Kind, type DocumentNode, type ExecutionResult, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.ts';

/** Root fields whose answers depend only on the workspace, the role and the language. */
const CACHEABLE_ROOT_FIELDS = new Set(['tickets', '__typename']);
/** Answers kept at most, over every workspace; the least recently used is forgotten first. */
const MAX_ENTRIES = 1000;
/** An answer bigger than this (a page of 100 tickets with their threads) is not worth keeping. */
const MAX_ENTRY_CHARS = 512 * 1024;
/** How long a request waits for the same answer another request is computing, before computing it itself. */
const WAIT_MS = 5000;

interface Entry {
  version: number;
  expiresAt: number;
  result: ExecutionResult | null;
  pending: Promise<ExecutionResult | null>;
}

/**
 * Ticket lists answered once per change, not once per request (issue 15).
 *
 * Every open inbox refetches its list when a ticket changes: fifty agents on one queue send the
 * same query within milliseconds of each event, and between events they page back and forth
 * over lists that have not changed. An answer to a `tickets` query is therefore kept per
 * workspace, role, language, document and variables — never per token, so agents of a workspace
 * share it — and concurrent identical requests wait for the one being computed.
 *
 * An answer is only reused while its workspace's version is unchanged: the version moves on every
 * `ticketChanged` event (imports, replies, deliveries, in any process through the event bus) and
 * on every mutation in the workspace, synchronously in the process that ran it, before its
 * answer leaves, and through the bus for the other processes. `seconds` bounds what a change that
 * announces itself nowhere (an operator's SQL) can leave stale. Answers with errors are not kept.
 */
export class ListCache {
  private readonly entries = new Map<string, Entry>();
  private readonly versions = new Map<string, number>();
  private readonly documentIds = new WeakMap<DocumentNode, number>();
  private nextDocumentId = 1;
  hits = 0;
  misses = 0;

  constructor(
    private readonly runtime: Runtime,
    private readonly seconds: number,
  ) {}

  /** Forgets every answer of a workspace (its lists changed). */
  bump(workspaceId: string): void {
    // Through version(), so a workspace first seen through a mutation (an admin connecting a
    // mailbox) is subscribed to its events too: it was not, and every list stayed as computed
    // for CORREIO_LIST_CACHE_SECONDS while an import ran.
    this.versions.set(workspaceId, this.version(workspaceId) + 1);
  }

  plugin(): Plugin<Context> {
    return {
      onExecute: async ({ args, setResultAndStopExecution }) => {
        const ctx = args.contextValue as Context;
        const viewer = ctx.viewer;
        if (!viewer || this.seconds <= 0) return;
        const operation = getOperationAST(args.document, args.operationName ?? undefined);
        if (operation?.operation === 'mutation') {
          const workspaceId = viewer.workspaceId;
          return {
            onExecuteDone: () => {
              this.bump(workspaceId);
              this.runtime.events.pubsub.publish('listsChanged', workspaceId, {});
            },
          };
        }
        if (!operation || !cacheable(operation)) return;
        const workspaceId = viewer.workspaceId;
        const version = this.version(workspaceId);
        const key = [workspaceId, viewer.role, ctx.locale, this.documentId(args.document), args.operationName ?? '', JSON.stringify(args.variableValues ?? {})].join('\u0000');
        const known = this.entries.get(key);
        if (known && known.version === version && known.expiresAt > Date.now()) {
          const result = known.result ?? (await waitFor(known.pending));
          if (result) {
            this.hits += 1;
            // Most recently used last: the Map's order is the eviction order.
            this.entries.delete(key);
            this.entries.set(key, known);
            setResultAndStopExecution(result);
            return;
          }
          // The request computing it failed or never finished: compute it anew.
          if (this.entries.get(key) === known) this.entries.delete(key);
        }
        this.misses += 1;
        let settle!: (result: ExecutionResult | null) => void;
        const entry: Entry = { version, expiresAt: Date.now() + this.seconds * 1000, result: null, pending: new Promise((resolve) => (settle = resolve)) };
        this.entries.set(key, entry);
        while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
        return {
          onExecuteDone: ({ result }) => {
            const single = isSingleResult(result) && !result.errors?.length && JSON.stringify(result.data).length <= MAX_ENTRY_CHARS ? result : null;
            if (single) entry.result = single;
            else if (this.entries.get(key) === entry) this.entries.delete(key);
            settle(single);
          },
        };
      },
    };
  }

  private version(workspaceId: string): number {
    const known = this.versions.get(workspaceId);
    if (known !== undefined) return known;
    this.versions.set(workspaceId, 0);
    this.listen(workspaceId, 'ticketChanged');
    this.listen(workspaceId, 'listsChanged');
    return 0;
  }

  /** One subscription per workspace and topic, for the life of the process. */
  private listen(workspaceId: string, topic: 'ticketChanged' | 'listsChanged'): void {
    void (async () => {
      for await (const _event of this.runtime.events.pubsub.subscribe(topic, workspaceId)) this.bump(workspaceId);
    })().catch(() => undefined);
  }

  private documentId(document: DocumentNode): number {
    let id = this.documentIds.get(document);
    if (id === undefined) {
      id = this.nextDocumentId++;
      this.documentIds.set(document, id);
    }
    return id;
  }
}

/** A query that asks only for ticket lists (and `__typename`), with no fragment at its root. */
function cacheable(operation: OperationDefinitionNode): boolean {
  if (operation.operation !== 'query') return false;
  const selections = operation.selectionSet.selections;
  return selections.every((s) => s.kind === Kind.FIELD && CACHEABLE_ROOT_FIELDS.has(s.name.value)) && selections.some((s) => s.kind === Kind.FIELD && s.name.value !== '__typename');
}

function isSingleResult(result: unknown): result is ExecutionResult {
  return typeof result === 'object' && result !== null && !(Symbol.asyncIterator in result);
}

async function waitFor(pending: Promise<ExecutionResult | null>): Promise<ExecutionResult | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), WAIT_MS);
  });
  try {
    return await Promise.race([pending, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
