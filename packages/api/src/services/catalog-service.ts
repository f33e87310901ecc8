import { schema, type Runtime } from '@correio/core';
import { text, type ServerText } from '@correio/texts';
import { and, asc, eq, ilike, or } from 'drizzle-orm';
import { z } from 'zod';
import type { Viewer } from '../auth/tokens.ts';
import { fieldError, validationError } from '../errors.ts';
import { isUniqueViolation, optionalText, parseInput, says } from './validation.ts';

const { groups, ticketTypes, clients, domainRules } = schema;

const name = z.string().trim().min(1, says('validation.name')).max(120);
const clientSchema = z.object({
  name: optionalText(200),
  email: z.string().trim().toLowerCase().email(says('validation.email')),
  organization: optionalText(200),
});
const domainSchema = z.object({
  domain: z
    .string()
    .trim()
    .toLowerCase()
    .transform((d) => d.replace(/^@/, ''))
    .pipe(z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, says('validation.domain'))),
  organization: z.string().trim().min(1, says('validation.domainRule.organization')).max(200),
});

/** Groups, ticket types, clients and domain rules: small lists every workspace keeps. */
export class CatalogService {
  constructor(private readonly runtime: Runtime) {}

  private get db() {
    return this.runtime.database.db;
  }

  listGroups(viewer: Viewer) {
    return this.db.select().from(groups).where(eq(groups.workspaceId, viewer.workspaceId)).orderBy(asc(groups.name));
  }

  async createGroup(viewer: Viewer, rawName: unknown) {
    const value = parseInput(name, rawName, 'name');
    return this.insertUnique(
      () => this.db.insert(groups).values({ workspaceId: viewer.workspaceId, name: value }).returning(),
      ['name'],
      text('validation.group.taken'),
    );
  }

  listTicketTypes(viewer: Viewer) {
    return this.db.select().from(ticketTypes).where(eq(ticketTypes.workspaceId, viewer.workspaceId)).orderBy(asc(ticketTypes.name));
  }

  async createTicketType(viewer: Viewer, rawName: unknown) {
    const value = parseInput(name, rawName, 'name');
    return this.insertUnique(
      () => this.db.insert(ticketTypes).values({ workspaceId: viewer.workspaceId, name: value }).returning(),
      ['name'],
      text('validation.ticketType.taken'),
    );
  }

  listClients(viewer: Viewer, search: string | null | undefined) {
    const term = search?.trim();
    const scope = eq(clients.workspaceId, viewer.workspaceId);
    const where = term
      ? and(scope, or(ilike(clients.email, `%${escapeLike(term)}%`), ilike(clients.name, `%${escapeLike(term)}%`), ilike(clients.organization, `%${escapeLike(term)}%`)))
      : scope;
    return this.db.select().from(clients).where(where).orderBy(asc(clients.email)).limit(200);
  }

  async createClient(viewer: Viewer, rawInput: unknown) {
    const input = parseInput(clientSchema, rawInput, 'input');
    return this.insertUnique(
      () => this.db.insert(clients).values({ workspaceId: viewer.workspaceId, ...input }).returning(),
      ['input', 'email'],
      text('validation.client.taken'),
    );
  }

  listDomainRules(viewer: Viewer) {
    return this.db.select().from(domainRules).where(eq(domainRules.workspaceId, viewer.workspaceId)).orderBy(asc(domainRules.domain));
  }

  async createDomainRule(viewer: Viewer, domain: unknown, organization: unknown) {
    const input = parseInput(domainSchema, { domain, organization }, 'input');
    return this.insertUnique(
      () => this.db.insert(domainRules).values({ workspaceId: viewer.workspaceId, ...input }).returning(),
      ['domain'],
      text('validation.domainRule.taken'),
    );
  }

  private async insertUnique<T>(insert: () => Promise<T[]>, path: string[], taken: ServerText): Promise<T> {
    try {
      const [row] = await insert();
      return row!;
    } catch (err) {
      if (isUniqueViolation(err)) throw validationError([fieldError(path, taken)]);
      throw err;
    }
  }
}

export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
