ALTER TABLE "canned_replies" ADD COLUMN "html" text DEFAULT '' NOT NULL;--> statement-breakpoint
-- Replies written before they were rich text: their paragraphs and lines, escaped.
UPDATE "canned_replies" SET "html" = '<p>' || replace(replace(replace(replace(replace(replace("text", E'\r\n', E'\n'), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), E'\n\n', '</p><p>'), E'\n', '<br>') || '</p>' WHERE "html" = '';
