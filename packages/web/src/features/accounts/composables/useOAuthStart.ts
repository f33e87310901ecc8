import type { CombinedError } from '@urql/core';
import { useMutation } from '@urql/vue';
import { ref } from 'vue';
import type { OAuthProvider } from '#graphql/enums.ts';
import { StartOAuthConnectionMutation } from '../graphql/oauth.ts';

/**
 * Starts "Connect with Google / Microsoft" (issue 13), or a reconnect with `accountId`: asks the
 * API for the consent URL — over HTTP, whose answer sets the cookie that binds the consent to
 * this browser — and leaves for the provider. `before` runs just before leaving (the form keeps
 * its draft there). Resolves with the API's error when it refused; otherwise the page unloads.
 */
export function useOAuthStart() {
  const mutation = useMutation(StartOAuthConnectionMutation);
  /** Which start is in flight: the account id of a reconnect, or 'new'. Stays set while the page leaves. */
  const starting = ref<string | null>(null);

  async function start(provider: OAuthProvider, options: { accountId?: string | null; address?: string | null; before?: () => void } = {}): Promise<CombinedError | null> {
    starting.value = options.accountId ?? 'new';
    const result = await mutation.executeMutation({ provider, accountId: options.accountId ?? null, address: options.address ?? null });
    const url = result.data?.startOAuthConnection.authorizationUrl;
    if (result.error || !url) {
      starting.value = null;
      return result.error ?? null;
    }
    options.before?.();
    window.location.assign(url);
    return null;
  }

  return { start, starting };
}
