-- Full-text search (issue 15, S2), on PostgreSQL and PGlite alike: no search server.
--
-- Kept out of the drizzle schema on purpose: a tsvector in every `select()` of tickets and
-- actions would be read and shipped for nothing. Generated columns keep each document in step
-- with its row in the same transaction as the import, so a message is findable as soon as its
-- ticket appears.
CREATE EXTENSION IF NOT EXISTS unaccent;
--> statement-breakpoint
-- Accent-insensitive Portuguese and English: the snowball stemmers behind unaccent, so that
-- ts_headline marks "ação" for a query "acao" as well.
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'correio_pt') THEN
    CREATE TEXT SEARCH CONFIGURATION correio_pt (COPY = pg_catalog.portuguese);
    ALTER TEXT SEARCH CONFIGURATION correio_pt ALTER MAPPING FOR hword, hword_part, word WITH unaccent, portuguese_stem;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'correio_en') THEN
    CREATE TEXT SEARCH CONFIGURATION correio_en (COPY = pg_catalog.english);
    ALTER TEXT SEARCH CONFIGURATION correio_en ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
  END IF;
END $$;
--> statement-breakpoint
-- Portuguese plurals the snowball stemmer leaves apart ("fiscais" → fisc, "fiscal" → fiscal;
-- "ações" → açõ, "ação" → açã): folded to the singular before stemming, on documents and queries
-- alike. Only the Portuguese half of a document is folded; English words keep their own stems.
-- IMMUTABLE (unaccent itself is STABLE only because its rules file could change): generated
-- columns need it, and the rules are those of this install.
CREATE OR REPLACE FUNCTION correio_fold_pt(value text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
      lower(public.unaccent('public.unaccent'::regdictionary, coalesce(value, ''))),
      '([a-z]{2,})ais\M', '\1al', 'g'),
      '([a-z]{2,})eis\M', '\1el', 'g'),
      '([a-z]{2,})ois\M', '\1ol', 'g'),
      '([a-z])[oa]es\M', '\1ao', 'g'),
      '([a-z]{3,})ns\M', '\1m', 'g')
  $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION correio_document(value text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT to_tsvector('public.correio_pt', public.correio_fold_pt(value)) || to_tsvector('public.correio_en', coalesce(value, '')) $$;
--> statement-breakpoint
-- websearch syntax: words, "a phrase", -excluded, OR. Never raises on what a user types.
CREATE OR REPLACE FUNCTION correio_query(value text) RETURNS tsquery
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT websearch_to_tsquery('public.correio_pt', public.correio_fold_pt(value)) || websearch_to_tsquery('public.correio_en', coalesce(value, '')) $$;
--> statement-breakpoint
-- array_to_string is STABLE (it may format any element type); joining text is not.
CREATE OR REPLACE FUNCTION correio_join(value text[]) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT array_to_string(value, ' ') $$;
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (setweight(correio_document("subject"), 'A')) STORED;
--> statement-breakpoint
ALTER TABLE "ticket_actions" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (
  setweight(correio_document("text"), 'B') || setweight(correio_document(correio_join("cc")), 'D')
) STORED;
--> statement-breakpoint
ALTER TABLE "clients" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (correio_document(coalesce("name", '') || ' ' || "email")) STORED;
--> statement-breakpoint
-- "nota-fiscal_4521.pdf" is four words to a person; the parser would see one file name.
ALTER TABLE "attachments" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (correio_document(regexp_replace("filename", '[._-]+', ' ', 'g'))) STORED;
--> statement-breakpoint
CREATE INDEX "tickets_search" ON "tickets" USING gin ("search");
--> statement-breakpoint
CREATE INDEX "ticket_actions_search" ON "ticket_actions" USING gin ("search");
--> statement-breakpoint
CREATE INDEX "clients_search" ON "clients" USING gin ("search");
--> statement-breakpoint
CREATE INDEX "attachments_search" ON "attachments" USING gin ("search");
--> statement-breakpoint
-- The most recent matches of a common word are found walking a workspace's mail newest first.
CREATE INDEX "ticket_actions_workspace_created" ON "ticket_actions" USING btree ("workspace_id", "created_at");
--> statement-breakpoint
-- A customer's name or address matched: their tickets, without reading every ticket.
CREATE INDEX "tickets_customer" ON "tickets" USING btree ("customer_id");
