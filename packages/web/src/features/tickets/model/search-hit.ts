import type { ResultOf } from '#graphql/graphql.ts';
import type { SearchTicketsQuery } from '../graphql/tickets.ts';

type SearchEdge = ResultOf<typeof SearchTicketsQuery>['searchTickets']['edges'][number];

/** Why a row is in the search results: the words around the match, and where it matched. */
export type SearchHit = Pick<SearchEdge, 'snippet' | 'matchedIn'>;
export type SnippetPart = SearchEdge['snippet'][number];

/**
 * The snippet as it is shown: highlighted words that only spaces separate become one mark, so a
 * phrase ("nota fiscal") reads, and a screen reader announces it, as one match, not two.
 */
export function snippetMarks(parts: readonly SnippetPart[]): SnippetPart[] {
  const out: SnippetPart[] = [];
  parts.forEach((part, i) => {
    const last = out.at(-1);
    const bridge = !part.highlighted && !part.text.trim() && last?.highlighted && parts[i + 1]?.highlighted;
    if (last && (bridge || last.highlighted === part.highlighted)) last.text += part.text;
    else out.push({ text: part.text, highlighted: part.highlighted });
  });
  return out;
}
