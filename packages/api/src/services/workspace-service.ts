import { randomUUID } from 'node:crypto';
import { schema, type Runtime } from '@correio/core';
import { text } from '@correio/texts';
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { decoyPasswordHash, hashPassword, verifyPassword } from '../auth/passwords.ts';
import { FailureDelay, RateLimiter } from '../auth/rate-limiter.ts';
import type { TokenService, Viewer } from '../auth/tokens.ts';
import { AppError, errorText, fieldError, validationError } from '../errors.ts';
import { builtinAddress } from './account-service.ts';
import { isUniqueViolation, parseInput, says } from './validation.ts';

const { workspaces, users, emailAccounts, accountStatuses } = schema;

export const signUpSchema = z.object({
  workspaceName: z.string().trim().min(1, says('validation.signUp.workspaceName')).max(120),
  workspaceSlug: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, says('validation.signUp.workspaceSlug')),
  name: z.string().trim().min(1, says('validation.signUp.name')).max(120),
  email: z.string().trim().toLowerCase().email(says('validation.email')),
  password: z.string().min(10).max(200),
});

const createUserSchema = z.object({
  name: z.string().trim().min(1, says('validation.user.name')).max(120),
  email: z.string().trim().toLowerCase().email(says('validation.email')),
  password: z.string().min(10).max(200),
  role: z.enum(schema.roleEnum.enumValues),
});

export interface AuthResult {
  token: string;
  user: typeof users.$inferSelect;
}

export class WorkspaceService {
  // Hard limits are per client IP (and per IP + address), so only the guesser is refused; the
  // address itself is only slowed down, so a stranger cannot lock its owner out.
  private readonly byPair = new RateLimiter(10, 15 * 60_000);
  private readonly byIp = new RateLimiter(50, 15 * 60_000);
  private readonly byAddress = new FailureDelay();
  private readonly signUpsByIp: RateLimiter;

  constructor(
    private readonly runtime: Runtime,
    private readonly tokens: TokenService,
  ) {
    this.signUpsByIp = new RateLimiter(runtime.config.signupPerIpPerHour, 60 * 60_000);
  }

  private get db() {
    return this.runtime.database.db;
  }

  async signUp(rawInput: unknown, ip: string): Promise<AuthResult> {
    const input = parseInput(signUpSchema, rawInput, 'input');
    const wait = this.signUpsByIp.hit(ip);
    if (wait > 0) throw new AppError('RATE_LIMITED', text('api.RATE_LIMITED.signUp', { minutes: Math.ceil(wait / 60) }), { retryAfterSeconds: wait });
    if (this.runtime.config.signup === 'closed') {
      const [existing] = await this.db.select({ id: workspaces.id }).from(workspaces).limit(1);
      if (existing) throw new AppError('SIGNUP_CLOSED');
    }
    const passwordHash = await hashPassword(input.password);
    const workspaceId = randomUUID();
    let user: typeof users.$inferSelect;
    try {
      user = await this.db.transaction(async (tx) => {
        await tx.insert(workspaces).values({ id: workspaceId, name: input.workspaceName, slug: input.workspaceSlug });
        const [created] = await tx
          .insert(users)
          .values({ workspaceId, name: input.name, email: input.email, passwordHash, role: 'ADMIN' })
          .returning();
        // A1: every workspace starts with its built-in address.
        const accountId = randomUUID();
        await tx.insert(emailAccounts).values({
          id: accountId,
          workspaceId,
          name: input.workspaceName,
          kind: 'BUILTIN',
          address: builtinAddress('support', input.workspaceSlug, this.runtime.config.inboundDomain),
          incomingEnabled: true,
          brandName: input.workspaceName,
        });
        await tx.insert(accountStatuses).values([
          { accountId, direction: 'INCOMING' },
          { accountId, direction: 'OUTGOING' },
        ]);
        return created!;
      });
    } catch (err) {
      // A taken slug and a registered e-mail get the very same answer, so sign-up cannot be used to
      // find out who has an account here (see the README's Security section for what remains).
      if (isUniqueViolation(err, 'workspaces_slug_unique') || isUniqueViolation(err, 'users_email_unique')) throw signUpRefused();
      throw err;
    }
    this.runtime.logger.info({ workspaceId, userId: user.id }, 'workspace created');
    return { token: await this.tokens.issue(viewerOf(user)), user };
  }

  async login(email: string, password: string, ip: string): Promise<AuthResult> {
    const normalized = email.trim().toLowerCase();
    const pair = `${ip}|${normalized}`;
    const wait = Math.max(this.byPair.hit(pair), this.byIp.hit(ip));
    if (wait > 0) throw new AppError('RATE_LIMITED', text('api.RATE_LIMITED.login', { seconds: wait }), { retryAfterSeconds: wait });
    const delay = this.byAddress.delayMs(normalized);
    if (delay) await new Promise((r) => setTimeout(r, delay));
    const [user] = await this.db.select().from(users).where(eq(sql`lower(${users.email})`, normalized)).limit(1);
    // Unknown e-mail and wrong password take the same path and give the same answer.
    const ok = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), password);
    if (!user || !ok) {
      this.byAddress.fail(normalized);
      throw new AppError('INVALID_CREDENTIALS');
    }
    this.byPair.reset(pair);
    this.byAddress.reset(normalized);
    return { token: await this.tokens.issue(viewerOf(user)), user };
  }

  /** An admin adds a colleague with a first password (they can change it later). */
  async createUser(viewer: Viewer, rawInput: unknown) {
    const input = parseInput(createUserSchema, rawInput, 'input');
    const passwordHash = await hashPassword(input.password);
    try {
      const [user] = await this.db
        .insert(users)
        .values({ workspaceId: viewer.workspaceId, name: input.name, email: input.email, passwordHash, role: input.role })
        .returning();
      return user!;
    } catch (err) {
      if (isUniqueViolation(err, 'users_email_unique'))
        throw validationError([fieldError(['input', 'email'], text('validation.user.emailTaken'))]);
      throw err;
    }
  }

  listUsers(viewer: Viewer) {
    return this.db.select().from(users).where(eq(users.workspaceId, viewer.workspaceId)).orderBy(users.name);
  }

  async workspaceOf(viewer: Viewer) {
    const [ws] = await this.db.select().from(workspaces).where(eq(workspaces.id, viewer.workspaceId));
    return ws ?? null;
  }
}

function signUpRefused(): AppError {
  const refused = errorText('SIGNUP_REFUSED');
  return new AppError('SIGNUP_REFUSED', refused, {
    fields: [fieldError(['input', 'workspaceSlug'], refused, 'SIGNUP_REFUSED'), fieldError(['input', 'email'], refused, 'SIGNUP_REFUSED')],
  });
}

export function viewerOf(user: typeof users.$inferSelect): Viewer {
  return { userId: user.id, workspaceId: user.workspaceId, role: user.role };
}
