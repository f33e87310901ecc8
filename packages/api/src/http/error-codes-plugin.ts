import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * graphql-js reports parse, validation and variable-coercion failures without a code. This gives
 * every error a stable `extensions.code`, and turns "got invalid value … at "input.kind"" into a
 * field path, so clients never have to read message text.
 */
export function useErrorCodes(): Plugin {
  return {
    onValidate() {
      return ({ result, setResult }) => {
        if (result.length) setResult(result.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED')));
      };
    },
    onExecutionResult({ result, setResult }) {
      if (!result || !('errors' in result) || !result.errors?.length) return;
      if (!result.errors.some((e) => !e.extensions?.['code'])) return;
      setResult({ ...result, errors: result.errors.map((e) => (e.extensions?.['code'] ? e : withCode(e, e.path ? 'INTERNAL' : 'BAD_USER_INPUT'))) });
    },
  };
}

export function withCode(error: GraphQLError, code: string): GraphQLError {
  const extensions: Record<string, unknown> = { ...error.extensions, code };
  const at = /at "([^"]+)"/.exec(error.message)?.[1];
  const variable = /^Variable "\$([^"]+)"/.exec(error.message)?.[1];
  if (code === 'BAD_USER_INPUT' && (at || variable)) {
    extensions['fields'] = [{ path: (at ?? variable)!.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)), message: error.message }];
  }
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions,
  });
}
