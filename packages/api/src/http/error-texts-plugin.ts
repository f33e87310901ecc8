import { asServerText, renderText, type Locale } from '@correio/texts';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.ts';

/**
 * Words every error in the caller's language at the last moment (issue 14). An error that carries
 * `extensions.text` — `{ code, params, detail }`, kept in the answer so a client can word it
 * itself — gets its message from it, and so does each of its `extensions.fields` entries.
 */
export function useErrorTexts(): Plugin<Context> {
  return {
    onExecute({ args }) {
      const locale = (args.contextValue as Partial<Context>).locale;
      if (!locale) return;
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
