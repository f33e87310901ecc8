-- Issue 12/15: a search document is built from the first 50,000 characters of a text, not all of
-- it. One to_tsvector may hold at most 1 MB of lexemes: a mail with a pasted export (40,000
-- transaction ids, 1.3 MB) failed its insert, and with it the import. 50,000 characters are
-- ~8,000 words — a long mail is 3,000 — and at most 200 KB of lexemes even in 4-byte characters,
-- so no text can fail; past ~16,000 words PostgreSQL stops counting positions anyway. The whole
-- text is still kept and shown. Rows indexed before keep their document (identical for any text
-- of this length or less). The snippet is cut from the same 50,000 characters (search-service.ts).
CREATE OR REPLACE FUNCTION correio_document(value text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT to_tsvector('public.correio_pt', public.correio_fold_pt(left(value, 50000))) || to_tsvector('public.correio_en', coalesce(left(value, 50000), '')) $$;
