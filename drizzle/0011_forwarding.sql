ALTER TYPE "public"."ticket_history_kind" ADD VALUE 'FORWARDED';--> statement-breakpoint
ALTER TABLE "ticket_actions" ADD COLUMN "forwarded" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "ticket_actions" ADD COLUMN "internal" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "ticket_message_ids" ADD COLUMN "forwarded" boolean DEFAULT false NOT NULL;