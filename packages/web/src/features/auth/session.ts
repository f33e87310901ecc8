import { client, resetClient } from '#graphql/client.ts';
import { session, setToken, type SessionUser } from '#shared/composables/useSession.ts';
import { MeQuery } from './graphql/auth.ts';

/** Loads `me` and the workspace for the stored token; a dead token is dropped. */
export async function loadSession(): Promise<void> {
  if (!session.token) {
    session.user = null;
    session.workspace = null;
    session.loaded = true;
    return;
  }
  const result = await client.value.query(MeQuery, {}, { requestPolicy: 'network-only' }).toPromise();
  if (result.data?.me) {
    session.user = result.data.me as SessionUser;
    session.workspace = result.data.workspace;
  } else if (!result.error?.networkError) {
    // The token expired or was revoked.
    setToken(null);
    session.user = null;
    session.workspace = null;
  }
  session.loaded = true;
}

export async function startSession(token: string): Promise<void> {
  setToken(token);
  resetClient();
  await loadSession();
}

export function endSession(): void {
  setToken(null);
  session.user = null;
  session.workspace = null;
  resetClient();
}
