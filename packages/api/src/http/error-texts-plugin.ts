import { asServerText, renderText, type Locale } from '@correio/texts';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.ts';
import { requestLocale } from './locale.ts';

/**
 * Words every error in the caller's language at the last moment (issue 14). An error that carries
 * `extensions.text` — `{ code, params, detail }`, kept in the answer so a client can word it
 * itself — gets its message from it, and so does each of its `extensions.fields` entries.
 */
export function useErrorTexts(): Plugin<Context> {
  return {
    // The last hook of an HTTP answer, after yoga has masked unexpected errors as INTERNAL, so
    // those are worded too; the locale is the one the context was made with.
    onExecutionResult({ request, result, setResult }) {
      if (!result || !('errors' in result) || !result.errors?.some((e) => e.extensions?.['text'])) return;
      const locale = requestLocale(request.headers.get('accept-language'));
      setResult({ ...result, errors: result.errors.map((error) => worded(error, locale)) });
    },
    // graphql-ws runs execution itself, without yoga's result hooks: its answers are worded here,
    // in the locale of the connection (connectionParams.locale or the upgrade's Accept-Language).
    onExecute({ args }) {
      const { locale, request } = args.contextValue as Partial<Context> & { request?: Request };
      if (!locale || request) return;
      return {
        onExecuteDone({ result, setResult }) {
          if (!('errors' in result) || !result.errors?.some((e) => e.extensions?.['text'])) return;
          setResult({ ...result, errors: result.errors.map((error) => worded(error, locale)) });
        },
      };
    },
  };
}

function worded(error: GraphQLError, locale: Locale): GraphQLError {
  const text = asServerText(error.extensions?.['text']);
  if (!text) return error;
  const fields = error.extensions['fields'];
  const extensions = Array.isArray(fields)
    ? {
        ...error.extensions,
        fields: fields.map((f: Record<string, unknown>) => {
          const fieldText = asServerText(f['text']);
          return fieldText ? { ...f, message: renderText(fieldText, locale) } : f;
        }),
      }
    : error.extensions;
  return new GraphQLError(renderText(text, locale), { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, originalError: error.originalError, extensions });
}
