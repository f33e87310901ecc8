CREATE TABLE "canned_replies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"owner_id" uuid,
	"title" text NOT NULL,
	"shortcut" text,
	"text" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "canned_replies" ADD CONSTRAINT "canned_replies_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "canned_replies" ADD CONSTRAINT "canned_replies_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "canned_replies_workspace" ON "canned_replies" USING btree ("workspace_id","title");--> statement-breakpoint
CREATE UNIQUE INDEX "canned_replies_shortcut_shared" ON "canned_replies" USING btree ("workspace_id","shortcut") WHERE "canned_replies"."owner_id" is null and "canned_replies"."shortcut" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "canned_replies_shortcut_own" ON "canned_replies" USING btree ("workspace_id","owner_id","shortcut") WHERE "canned_replies"."owner_id" is not null and "canned_replies"."shortcut" is not null;