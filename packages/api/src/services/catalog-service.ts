import { schema, type Runtime } from '@correio/core';
import { and, asc, eq, ilike, or } from 'drizzle-orm';
import { z } from 'zod';
import type { Viewer } from '../auth/tokens.ts';
import { validationError } from '../errors.ts';
import { isUniqueViolation, parseInput } from './validation.ts';

const { groups, ticketTypes, clients, domainRules } = schema;

const name = z.string().trim().min(1, 'Enter a name.').max(120);
const clientSchema = z.object({
  name: z
    .string()
    .trim()
    .max(200)
    .nullish()
    .transform((v) => v || null),
  email: z.string().trim().toLowerCase().email('Enter a valid e-mail address.'),
  organization: z
    .string()
    .trim()
    .max(200)
    .nullish()
    .transform((v) => v || null),
});
const domainSchema = z.object({
  domain: z
    .string()
    .trim()
    .toLowerCase()
    .transform((d) => d.replace(/^@/, ''))
    .pipe(z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, 'Enter a domain such as example.com.')),
  organization: z.string().trim().min(1, 'Enter the organization these senders belong to.').max(200),
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
      'A group with this name already exists.',
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
      'A ticket type with this name already exists.',
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
      'A client with this e-mail already exists.',
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
      'There is already a rule for this domain.',
    );
  }

  private async insertUnique<T>(insert: () => Promise<T[]>, path: string[], message: string): Promise<T> {
    try {
      const [row] = await insert();
      return row!;
    } catch (err) {
      if (isUniqueViolation(err)) throw validationError([{ path, message }]);
      throw err;
    }
  }
}

export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
