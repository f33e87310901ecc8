ALTER TABLE "engine_nodes" ADD COLUMN "expires_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
CREATE INDEX "account_statuses_time_based_idx" ON "account_statuses" USING btree ("account_id") WHERE state in ('INTERMITTENT', 'CHECKING');--> statement-breakpoint
CREATE INDEX "mailbox_leases_owner_idx" ON "mailbox_leases" USING btree ("owner");--> statement-breakpoint
ALTER TABLE "mailbox_leases" DROP COLUMN "expires_at";--> statement-breakpoint
-- Engines react to changes instead of scanning every heartbeat (issue 17): accounts created,
-- edited or removed, leases released, engines joining or leaving each wake every engine through
-- LISTEN correio_engine. Notifications are sent at commit, and identical ones in a transaction
-- are folded into one.
CREATE OR REPLACE FUNCTION correio_notify_engines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('correio_engine', TG_ARGV[0]);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER email_accounts_notify_engines AFTER INSERT OR UPDATE OR DELETE ON "email_accounts"
  FOR EACH STATEMENT EXECUTE FUNCTION correio_notify_engines('accounts');
--> statement-breakpoint
CREATE TRIGGER mailbox_leases_notify_engines AFTER DELETE ON "mailbox_leases"
  FOR EACH STATEMENT EXECUTE FUNCTION correio_notify_engines('leases');
--> statement-breakpoint
-- Row-level and INSERT/DELETE only: a heartbeat (an upsert that updates) must not wake anyone.
CREATE TRIGGER engine_nodes_notify_engines AFTER INSERT OR DELETE ON "engine_nodes"
  FOR EACH ROW EXECUTE FUNCTION correio_notify_engines('engines');
