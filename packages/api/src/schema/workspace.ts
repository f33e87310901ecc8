import { schema } from '@correio/core';
import { builder } from '../builder.ts';
import { RoleEnum } from './enums.ts';

type UserRow = typeof schema.users.$inferSelect;
type WorkspaceRow = typeof schema.workspaces.$inferSelect;

export const UserRef = builder.objectRef<UserRow>('User').implement({
  description: 'A person who works in the workspace.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable identifier.' }),
    name: t.exposeString('name', { description: 'Display name.' }),
    email: t.exposeString('email', { description: 'Login e-mail address.' }),
    role: t.expose('role', { type: RoleEnum, description: 'ADMIN or AGENT.' }),
    avatarUrl: t.exposeString('avatarUrl', { nullable: true, description: 'Picture shown beside the user’s replies; used in the e-mail footer when the account has no logo.' }),
  }),
});

export const WorkspaceRef = builder.objectRef<WorkspaceRow & { inboundDomain: string }>('Workspace').implement({
  description: 'One company (tenant). Everything else belongs to exactly one workspace.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable identifier.' }),
    name: t.exposeString('name', { description: 'Company or team name.' }),
    slug: t.exposeString('slug', { description: 'Short name used in built-in addresses.' }),
    builtinDomain: t.string({
      description: 'Domain of the workspace’s built-in addresses: `<slug>.<INBOUND_DOMAIN>`.',
      resolve: (ws) => `${ws.slug}.${ws.inboundDomain}`,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the workspace was created.' }),
  }),
});

const AuthPayloadRef = builder.objectRef<{ token: string; user: UserRow }>('AuthPayload').implement({
  description: 'Result of signing up or logging in.',
  fields: (t) => ({
    token: t.exposeString('token', { description: 'Bearer token: send `Authorization: Bearer <token>`. Expires after CORREIO_TOKEN_TTL_HOURS.' }),
    user: t.field({ type: UserRef, description: 'The logged-in user.', resolve: (p) => p.user }),
  }),
});

const SignUpInput = builder.inputType('SignUpInput', {
  description: 'A new workspace and its first admin.',
  fields: (t) => ({
    workspaceName: t.string({ required: true, description: 'Company or team name.' }),
    workspaceSlug: t.string({ required: true, description: 'Short name (lower-case letters, digits, hyphens); your support address becomes support@<slug>.<INBOUND_DOMAIN>.' }),
    name: t.string({ required: true, description: 'The admin’s name.' }),
    email: t.string({ required: true, description: 'The admin’s login e-mail.' }),
    password: t.string({ required: true, description: 'At least 10 characters.' }),
  }),
});

const CreateUserInput = builder.inputType('CreateUserInput', {
  description: 'A colleague to add to the workspace.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Display name.' }),
    email: t.string({ required: true, description: 'Login e-mail.' }),
    password: t.string({ required: true, description: 'First password (at least 10 characters).' }),
    role: t.field({ type: RoleEnum, required: true, description: 'ADMIN or AGENT.' }),
  }),
});

builder.queryFields((t) => ({
  users: t.withAuth({ agent: true }).field({
    type: [UserRef],
    description: 'Everyone in the workspace, by name (assignee choices, the agents list).',
    resolve: (_root, _args, ctx) => ctx.services.workspaces.listUsers(ctx.viewer),
  }),
  me: t.field({
    type: UserRef,
    nullable: true,
    description: 'The logged-in user, or null without a valid token.',
    resolve: (_root, _args, ctx) => (ctx.viewer ? ctx.loaders.user.load(ctx.viewer.userId) : null),
  }),
  workspace: t.withAuth({ agent: true }).field({
    type: WorkspaceRef,
    description: 'The caller’s workspace.',
    resolve: async (_root, _args, ctx) => {
      const ws = await ctx.services.workspaces.workspaceOf(ctx.viewer);
      return { ...ws!, inboundDomain: ctx.runtime.config.inboundDomain };
    },
  }),
}));

builder.mutationFields((t) => ({
  createUser: t.withAuth({ admin: true }).field({
    type: UserRef,
    description: 'Adds an agent or admin to the workspace.',
    args: { input: t.arg({ type: CreateUserInput, required: true, description: 'The new user.' }) },
    resolve: (_root, args, ctx) => ctx.services.workspaces.createUser(ctx.viewer, args.input),
  }),
  signUp: t.field({
    type: AuthPayloadRef,
    description:
      'Creates a workspace, its first ADMIN and its built-in address `support@<slug>.<INBOUND_DOMAIN>` (A1). A taken workspace address and a registered e-mail give the same SIGNUP_REFUSED error; sign-ups are rate limited per client IP (RATE_LIMITED).',
    args: { input: t.arg({ type: SignUpInput, required: true, description: 'Workspace and admin details.' }) },
    resolve: (_root, args, ctx) => ctx.services.workspaces.signUp(args.input, ctx.ip),
  }),
  login: t.field({
    type: AuthPayloadRef,
    description:
      'Exchanges e-mail and password for a bearer token. Wrong password and unknown e-mail give the same INVALID_CREDENTIALS error. Repeated failures from one client give RATE_LIMITED; failures for one address from anywhere only slow its next attempts down (never lock its owner out).',
    args: {
      email: t.arg.string({ required: true, description: 'Login e-mail.' }),
      password: t.arg.string({ required: true, description: 'Password.' }),
    },
    resolve: (_root, args, ctx) => ctx.services.workspaces.login(args.email, args.password, ctx.ip),
  }),
}));
