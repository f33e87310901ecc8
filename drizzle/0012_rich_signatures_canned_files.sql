ALTER TABLE "attachments" ADD COLUMN "canned_reply_id" uuid;--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_canned_reply_id_canned_replies_id_fk" FOREIGN KEY ("canned_reply_id") REFERENCES "public"."canned_replies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "attachments_canned_reply" ON "attachments" USING btree ("canned_reply_id") WHERE "attachments"."canned_reply_id" is not null;--> statement-breakpoint
-- Signatures became rich text (HTML); those saved as plain text keep their lines as paragraphs' line breaks.
UPDATE "users" SET "signature" = '<p>' || replace(replace(replace(replace(replace("signature", E'\r\n', E'\n'), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), E'\n', '<br>') || '</p>' WHERE "signature" IS NOT NULL AND "signature" !~* '<(p|br|div|span|b|strong|i|em|a|img)\M';--> statement-breakpoint
UPDATE "email_accounts" SET "signature" = '<p>' || replace(replace(replace(replace(replace("signature", E'\r\n', E'\n'), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), E'\n', '<br>') || '</p>' WHERE "signature" IS NOT NULL AND "signature" !~* '<(p|br|div|span|b|strong|i|em|a|img)\M';
