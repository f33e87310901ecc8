ALTER TABLE "users" ADD COLUMN "signature" text;--> statement-breakpoint
ALTER TABLE "email_accounts" ADD COLUMN "signature" text;