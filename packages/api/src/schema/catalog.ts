import { schema } from '@correio/core';
import { builder } from '../builder.ts';

export const GroupRef = builder.objectRef<typeof schema.groups.$inferSelect>('Group').implement({
  description: 'A team responsible for tickets (A7).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable identifier.' }),
    name: t.exposeString('name', { description: 'Group name.' }),
  }),
});

export const TicketTypeRef = builder.objectRef<typeof schema.ticketTypes.$inferSelect>('TicketType').implement({
  description: 'The reason of a ticket (A7).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable identifier.' }),
    name: t.exposeString('name', { description: 'Type name.' }),
  }),
});

export const ClientRef = builder.objectRef<typeof schema.clients.$inferSelect>('Client').implement({
  description: 'A customer, created on first contact or by hand (W6).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable identifier.' }),
    name: t.exposeString('name', { nullable: true, description: 'Display name, from the From header or typed in.' }),
    email: t.exposeString('email', { description: 'E-mail address (lower-case).' }),
    organization: t.exposeString('organization', { nullable: true, description: 'Company the client belongs to.' }),
  }),
});

const DomainRuleRef = builder.objectRef<typeof schema.domainRules.$inferSelect>('DomainRule').implement({
  description: 'Senders of this domain belong to this organization; used by the CLIENTS_OR_DOMAIN_RULES new-ticket policy (W6).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable identifier.' }),
    domain: t.exposeString('domain', { description: 'Domain, e.g. example.com.' }),
    organization: t.exposeString('organization', { description: 'Organization name.' }),
  }),
});

const ClientInput = builder.inputType('ClientInput', {
  description: 'A client to register.',
  fields: (t) => ({
    name: t.string({ description: 'Display name.' }),
    email: t.string({ required: true, description: 'E-mail address.' }),
    organization: t.string({ description: 'Company.' }),
  }),
});

builder.queryFields((t) => ({
  groups: t.withAuth({ agent: true }).field({
    type: [GroupRef],
    description: 'Groups of the workspace, by name.',
    resolve: (_r, _a, ctx) => ctx.services.catalog.listGroups(ctx.viewer),
  }),
  ticketTypes: t.withAuth({ agent: true }).field({
    type: [TicketTypeRef],
    description: 'Ticket types of the workspace, by name.',
    resolve: (_r, _a, ctx) => ctx.services.catalog.listTicketTypes(ctx.viewer),
  }),
  clients: t.withAuth({ agent: true }).field({
    type: [ClientRef],
    description: 'Clients, optionally matching a search on e-mail, name or organization (at most 200).',
    args: { search: t.arg.string({ description: 'Part of an e-mail, name or organization.' }) },
    resolve: (_r, args, ctx) => ctx.services.catalog.listClients(ctx.viewer, args.search),
  }),
  domainRules: t.withAuth({ admin: true }).field({
    type: [DomainRuleRef],
    description: 'Domain association rules, by domain.',
    resolve: (_r, _a, ctx) => ctx.services.catalog.listDomainRules(ctx.viewer),
  }),
}));

builder.mutationFields((t) => ({
  createGroup: t.withAuth({ admin: true }).field({
    type: GroupRef,
    description: 'Adds a group.',
    args: { name: t.arg.string({ required: true, description: 'Unique name.' }) },
    resolve: (_r, args, ctx) => ctx.services.catalog.createGroup(ctx.viewer, args.name),
  }),
  createTicketType: t.withAuth({ admin: true }).field({
    type: TicketTypeRef,
    description: 'Adds a ticket type.',
    args: { name: t.arg.string({ required: true, description: 'Unique name.' }) },
    resolve: (_r, args, ctx) => ctx.services.catalog.createTicketType(ctx.viewer, args.name),
  }),
  createClient: t.withAuth({ agent: true }).field({
    type: ClientRef,
    description: 'Registers a client (needed by the REGISTERED_CLIENTS policy).',
    args: { input: t.arg({ type: ClientInput, required: true, description: 'Client details.' }) },
    resolve: (_r, args, ctx) => ctx.services.catalog.createClient(ctx.viewer, args.input),
  }),
  createDomainRule: t.withAuth({ admin: true }).field({
    type: DomainRuleRef,
    description: 'Associates a sender domain with an organization.',
    args: {
      domain: t.arg.string({ required: true, description: 'Domain, e.g. example.com.' }),
      organization: t.arg.string({ required: true, description: 'Organization name.' }),
    },
    resolve: (_r, args, ctx) => ctx.services.catalog.createDomainRule(ctx.viewer, args.domain, args.organization),
  }),
}));
