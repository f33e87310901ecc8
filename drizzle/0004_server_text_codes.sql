ALTER TABLE "account_statuses" ADD COLUMN "message_text" jsonb;--> statement-breakpoint
ALTER TABLE "account_statuses" ADD COLUMN "last_error_hint_text" jsonb;--> statement-breakpoint
ALTER TABLE "connection_errors" ADD COLUMN "message_text" jsonb;--> statement-breakpoint
ALTER TABLE "connection_errors" ADD COLUMN "hint_text" jsonb;--> statement-breakpoint
ALTER TABLE "ticket_actions" ADD COLUMN "delivery_error_text" jsonb;--> statement-breakpoint
ALTER TABLE "failed_imports" ADD COLUMN "error_text" jsonb;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "last_error_text" jsonb;--> statement-breakpoint
ALTER TABLE "refused_messages" ADD COLUMN "detail_text" jsonb;