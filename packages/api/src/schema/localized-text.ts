import { renderText, type ServerText } from '@correio/texts';
import { builder } from '../builder.ts';

const TextParamRef = builder.objectRef<[string, string | number]>('TextParam').implement({
  description: 'One parameter of a server text (a host name, a folder, a count), to put into the wording.',
  fields: (t) => ({
    name: t.string({ description: 'Placeholder name, as in `{host}`.', resolve: ([name]) => name }),
    value: t.string({ description: 'Its value, not translated.', resolve: ([, value]) => String(value) }),
  }),
});

/**
 * A human text the server produced (issue 14): a stable code, its parameters and, separately, any
 * words that are not Correio's own (a server's or a library's message). `text` is it worded in the
 * request's language; a client with its own catalogue words `code` + `params` itself.
 */
export const LocalizedTextRef = builder.objectRef<ServerText>('LocalizedText').implement({
  description:
    'A server text as a stable code with parameters. `text` is worded in the language of the request (`Accept-Language`, pt-BR by default); clients with their own catalogue (the web app) word `code` and `params` themselves.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Stable code, e.g. `mail.HOST_NOT_FOUND.lookup` or `import.noSender`.' }),
    params: t.field({ type: [TextParamRef], description: 'Values for the placeholders of the wording.', resolve: (v) => Object.entries(v.params ?? {}) }),
    detail: t.string({ nullable: true, description: 'Words that are not Correio’s (a server’s or a library’s own message), appended after the text, never translated.', resolve: (v) => v.detail ?? null }),
    text: t.string({ description: 'The whole text in the request’s language.', resolve: (v, _a, ctx) => renderText(v, ctx.locale) }),
  }),
});
