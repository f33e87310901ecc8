import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSSRApp, defineComponent, type PropType } from 'vue';
import { parse } from 'vue/compiler-sfc';
import { renderToString } from 'vue/server-renderer';
import { stepRow } from '../composables/useInboxKeyboard.ts';
import { snippetMarks, type SnippetPart } from '../model/search-hit.ts';

const plain = (text: string): SnippetPart => ({ text, highlighted: false });
const hit = (text: string): SnippetPart => ({ text, highlighted: true });

// The unit tier has no Vue plugin: the component's own template is compiled here, with what its
// script gives the template, and rendered to HTML the way the browser would get it.
const template = parse(readFileSync(new URL('../components/TicketSearchSnippet.vue', import.meta.url), 'utf8')).descriptor.template!.content;
const Snippet = defineComponent({ props: { parts: { type: Array as PropType<SnippetPart[]>, required: true } }, setup: () => ({ snippetMarks }), template });
const render = (parts: SnippetPart[]) => renderToString(createSSRApp(Snippet, { parts }));
const inner = (html: string) => /<p[^>]*>(.*)<\/p>/s.exec(html)![1]!.replace(/<!--[^]*?-->/g, '');

describe('search snippets', () => {
  it('marks a phrase once, not word by word', () => {
    expect(snippetMarks([plain('Bom dia, a '), hit('nota'), plain(' '), hit('fiscal'), plain(' 4521 veio errada')])).toEqual([
      plain('Bom dia, a '),
      hit('nota fiscal'),
      plain(' 4521 veio errada'),
    ]);
    // Words between two matches stay unmarked.
    expect(snippetMarks([hit('boleto'), plain(' não '), hit('vence')])).toEqual([hit('boleto'), plain(' não '), hit('vence')]);
    expect(snippetMarks([])).toEqual([]);
  });

  it('renders highlighted parts as <mark> and the rest as text', async () => {
    const html = await render([plain('a '), hit('nota'), plain(' '), hit('fiscal'), plain(' veio com o valor errado')]);
    expect(inner(html)).toBe('a <mark>nota fiscal</mark> veio com o valor errado');
  });

  it('shows markup a customer wrote as text: no element, no attribute gets through', async () => {
    const html = await render([plain('veja <img src=x onerror=alert(1)> e '), hit('<mark>'), plain(' "aspas" & <b>negrito</b>')]);
    expect(inner(html)).toBe('veja &lt;img src=x onerror=alert(1)&gt; e <mark>&lt;mark&gt;</mark> &quot;aspas&quot; &amp; &lt;b&gt;negrito&lt;/b&gt;');
    expect(html.match(/<mark>/g)).toHaveLength(1);
    expect(html).not.toMatch(/<img|<b>/);
  });
});

describe('arrow keys through the results', () => {
  it('go down from the search box through the rows, stopping at the last', () => {
    expect(stepRow(-1, 3, 'ArrowDown')).toBe(0);
    expect(stepRow(1, 3, 'ArrowDown')).toBe(2);
    expect(stepRow(2, 3, 'ArrowDown')).toBe(2);
  });

  it('go up back into the box, and nowhere without rows', () => {
    expect(stepRow(1, 3, 'ArrowUp')).toBe(0);
    expect(stepRow(0, 3, 'ArrowUp')).toBe(-1);
    expect(stepRow(-1, 3, 'ArrowUp')).toBe(-1);
    expect(stepRow(-1, 0, 'ArrowDown')).toBe(-1);
  });
});
