CREATE TYPE "public"."dmarc_fail_policy" AS ENUM('FLAG', 'HOLD', 'REFUSE');--> statement-breakpoint
CREATE TYPE "public"."sender_verdict" AS ENUM('VERIFIED', 'NOT_VERIFIED', 'FORGED');--> statement-breakpoint
ALTER TYPE "public"."refusal_reason" ADD VALUE 'DMARC_FAILED';--> statement-breakpoint
ALTER TABLE "email_accounts" ADD COLUMN "dmarc_fail_policy" "dmarc_fail_policy" DEFAULT 'FLAG' NOT NULL;--> statement-breakpoint
ALTER TABLE "email_accounts" ADD COLUMN "trusted_authserv_id" text;--> statement-breakpoint
ALTER TABLE "attachments" ADD COLUMN "sha256" text;--> statement-breakpoint
ALTER TABLE "attachments" ADD COLUMN "details" jsonb;--> statement-breakpoint
ALTER TABLE "ticket_actions" ADD COLUMN "smime_signed" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "ticket_actions" ADD COLUMN "thread_index" text;--> statement-breakpoint
ALTER TABLE "ticket_actions" ADD COLUMN "sender_verdict" "sender_verdict";--> statement-breakpoint
ALTER TABLE "ticket_actions" ADD COLUMN "authentication_results" jsonb;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "outlook_conversation" text;--> statement-breakpoint
ALTER TABLE "refused_messages" ADD COLUMN "authentication_results" jsonb;--> statement-breakpoint
ALTER TABLE "refused_messages" ADD COLUMN "held" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "refused_messages" ADD COLUMN "released_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "attachments_workspace_sha256" ON "attachments" USING btree ("workspace_id","sha256") WHERE "attachments"."sha256" is not null;--> statement-breakpoint
CREATE INDEX "tickets_workspace_conversation" ON "tickets" USING btree ("workspace_id","outlook_conversation") WHERE "tickets"."outlook_conversation" is not null;