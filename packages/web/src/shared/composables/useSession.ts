import { reactive } from 'vue';
import type { Role } from '#graphql/enums.ts';

export interface SessionUser {
  id: string;
  name: string;
  email: string;
  role: Role;
  avatarUrl: string | null;
}
export interface SessionWorkspace {
  id: string;
  name: string;
  slug: string;
  builtinDomain: string;
}

const TOKEN_KEY = 'correio.token';

function readToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** Who is logged in. The bearer token lives in localStorage; everything else comes from `me`. */
export const session = reactive<{ token: string | null; user: SessionUser | null; workspace: SessionWorkspace | null; loaded: boolean }>({
  token: readToken(),
  user: null,
  workspace: null,
  loaded: false,
});

export function setToken(token: string | null): void {
  session.token = token;
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // private mode: the session lasts as long as the tab
  }
}

export function isAdmin(): boolean {
  return session.user?.role === 'ADMIN';
}
