CREATE TYPE "public"."account_kind" AS ENUM('BUILTIN', 'EXTERNAL');--> statement-breakpoint
CREATE TYPE "public"."action_kind" AS ENUM('EMAIL_IN', 'EMAIL_OUT', 'NOTE');--> statement-breakpoint
CREATE TYPE "public"."connection_state" AS ENUM('UNKNOWN', 'CHECKING', 'OK', 'INTERMITTENT', 'ERROR', 'DISABLED');--> statement-breakpoint
CREATE TYPE "public"."delivery_state" AS ENUM('QUEUED', 'SENT', 'FAILED');--> statement-breakpoint
CREATE TYPE "public"."direction" AS ENUM('INCOMING', 'OUTGOING');--> statement-breakpoint
CREATE TYPE "public"."encryption" AS ENUM('SSL_TLS', 'STARTTLS', 'NONE');--> statement-breakpoint
CREATE TYPE "public"."import_existing" AS ENUM('NONE', 'LAST_DAYS', 'ALL');--> statement-breakpoint
CREATE TYPE "public"."incoming_protocol" AS ENUM('IMAP', 'POP3');--> statement-breakpoint
CREATE TYPE "public"."new_ticket_policy" AS ENUM('ANY_SENDER', 'REGISTERED_CLIENTS', 'CLIENTS_OR_DOMAIN_RULES', 'NEVER');--> statement-breakpoint
CREATE TYPE "public"."outbox_state" AS ENUM('QUEUED', 'SENDING', 'SENT', 'FAILED');--> statement-breakpoint
CREATE TYPE "public"."refusal_reason" AS ENUM('NEW_TICKET_POLICY', 'AUTO_REPLY', 'BOUNCE', 'OWN_MESSAGE', 'RATE_LIMITED', 'APPEND_DISABLED', 'DUPLICATE');--> statement-breakpoint
CREATE TYPE "public"."role" AS ENUM('ADMIN', 'AGENT');--> statement-breakpoint
CREATE TYPE "public"."same_subject_policy" AS ENUM('ASSOCIATE_ANY_SENDER', 'ASSOCIATE_IF_CLIENT_OR_CC', 'NEW_TICKET');--> statement-breakpoint
CREATE TYPE "public"."smtp_auth_mechanism" AS ENUM('PLAIN', 'LOGIN', 'CRAM_MD5', 'XOAUTH2');--> statement-breakpoint
CREATE TYPE "public"."ticket_status" AS ENUM('NEW', 'OPEN', 'PENDING', 'RESOLVED', 'CLOSED');--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" "role" NOT NULL,
	"avatar_url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workspaces" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"ticket_seq" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workspaces_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "clients" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"name" text,
	"email" text NOT NULL,
	"organization" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "domain_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"domain" text NOT NULL,
	"organization" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "groups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ticket_types" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "account_statuses" (
	"account_id" uuid NOT NULL,
	"direction" "direction" NOT NULL,
	"state" "connection_state" DEFAULT 'UNKNOWN' NOT NULL,
	"checked_at" timestamp with time zone,
	"since" timestamp with time zone,
	"message" text,
	"last_success_at" timestamp with time zone,
	"last_alive_at" timestamp with time zone,
	"failing_since" timestamp with time zone,
	"streak_transient" boolean DEFAULT true NOT NULL,
	"last_error_at" timestamp with time zone,
	"last_error_transient" boolean,
	"last_error_code" text,
	"last_error_hint" text,
	"recovered_at" timestamp with time zone,
	"last_streak_transient" boolean,
	"checking_since" timestamp with time zone,
	"last_check" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "account_statuses_account_id_direction_pk" PRIMARY KEY("account_id","direction")
);
--> statement-breakpoint
CREATE TABLE "connection_errors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"direction" "direction" NOT NULL,
	"phase" text NOT NULL,
	"code" text NOT NULL,
	"message" text NOT NULL,
	"server_response" text,
	"transient" boolean NOT NULL,
	"hint" text
);
--> statement-breakpoint
CREATE TABLE "email_accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"name" text NOT NULL,
	"kind" "account_kind" NOT NULL,
	"address" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"provider_id" text,
	"incoming_enabled" boolean DEFAULT false NOT NULL,
	"incoming_protocol" "incoming_protocol",
	"incoming_host" text,
	"incoming_port" integer,
	"incoming_encryption" "encryption",
	"incoming_username" text,
	"incoming_password_sealed" text,
	"incoming_folder" text DEFAULT 'INBOX' NOT NULL,
	"mark_as_read" boolean DEFAULT false NOT NULL,
	"delete_after_days" integer,
	"new_ticket_policy" "new_ticket_policy" DEFAULT 'ANY_SENDER' NOT NULL,
	"append_replies" boolean DEFAULT true NOT NULL,
	"same_subject_policy" "same_subject_policy" DEFAULT 'ASSOCIATE_IF_CLIENT_OR_CC' NOT NULL,
	"import_existing" "import_existing" DEFAULT 'NONE' NOT NULL,
	"import_existing_days" integer,
	"outgoing_host" text,
	"outgoing_port" integer,
	"outgoing_encryption" "encryption",
	"outgoing_requires_auth" boolean DEFAULT true NOT NULL,
	"outgoing_username" text,
	"outgoing_password_sealed" text,
	"outgoing_access_token_sealed" text,
	"outgoing_auth_mechanism" "smtp_auth_mechanism",
	"outgoing_use_separate_identity" boolean DEFAULT false NOT NULL,
	"send_single_message" boolean DEFAULT true NOT NULL,
	"brand_name" text,
	"brand_url" text,
	"brand_logo_blob_key" text,
	"brand_logo_content_type" text,
	"ticket_type_id" uuid,
	"group_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "attachments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"action_id" uuid,
	"filename" text NOT NULL,
	"content_type" text NOT NULL,
	"size" bigint NOT NULL,
	"blob_key" text NOT NULL,
	"content_id" text,
	"inline" boolean DEFAULT false NOT NULL,
	"uploaded_by_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ticket_actions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"ticket_id" uuid NOT NULL,
	"kind" "action_kind" NOT NULL,
	"account_id" uuid,
	"from_address" text,
	"from_name" text,
	"to" text[] DEFAULT '{}'::text[] NOT NULL,
	"cc" text[] DEFAULT '{}'::text[] NOT NULL,
	"subject" text,
	"text" text NOT NULL,
	"full_text" text,
	"html" text,
	"message_id" text,
	"in_reply_to" text,
	"references" text[] DEFAULT '{}'::text[] NOT NULL,
	"author_id" uuid,
	"delivery" "delivery_state",
	"delivery_error" text,
	"raw_blob_key" text,
	"historical" boolean DEFAULT false NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "ticket_actions_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1)
);
--> statement-breakpoint
CREATE TABLE "ticket_message_ids" (
	"workspace_id" uuid NOT NULL,
	"message_id" text NOT NULL,
	"ticket_id" uuid NOT NULL,
	"action_id" uuid,
	"outgoing" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tickets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"subject" text NOT NULL,
	"normalized_subject" text NOT NULL,
	"status" "ticket_status" DEFAULT 'NEW' NOT NULL,
	"customer_id" uuid NOT NULL,
	"ccs" text[] DEFAULT '{}'::text[] NOT NULL,
	"account_id" uuid,
	"type_id" uuid,
	"group_id" uuid,
	"assignee_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "engine_nodes" (
	"id" text PRIMARY KEY NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "failed_imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"source_key" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"error" text NOT NULL,
	"size" bigint NOT NULL,
	"raw_blob_key" text NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "imported_messages" (
	"account_id" uuid NOT NULL,
	"source_key" text NOT NULL,
	"message_id" text,
	"action_id" uuid,
	"received_at" timestamp with time zone,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_from_server_at" timestamp with time zone,
	"skipped" boolean DEFAULT false NOT NULL,
	CONSTRAINT "imported_messages_account_id_source_key_pk" PRIMARY KEY("account_id","source_key")
);
--> statement-breakpoint
CREATE TABLE "mailbox_leases" (
	"account_id" uuid PRIMARY KEY NOT NULL,
	"owner" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"acquired_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mailbox_sync_states" (
	"account_id" uuid NOT NULL,
	"mailbox" text NOT NULL,
	"uid_validity" bigint,
	"uid_next" bigint,
	"highest_modseq" bigint,
	"historical_below_uid" bigint,
	"first_sync_at" timestamp with time zone,
	"last_sync_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mailbox_sync_states_account_id_mailbox_pk" PRIMARY KEY("account_id","mailbox")
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"action_id" uuid NOT NULL,
	"state" "outbox_state" DEFAULT 'QUEUED' NOT NULL,
	"payload" jsonb NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"first_attempt_at" timestamp with time zone,
	"lease_owner" text,
	"lease_expires_at" timestamp with time zone,
	"last_error" text,
	"last_response" text,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "refused_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"reason" "refusal_reason" NOT NULL,
	"detail" text,
	"from_address" text,
	"subject" text,
	"message_id" text,
	"raw_blob_key" text
);
--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clients" ADD CONSTRAINT "clients_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "domain_rules" ADD CONSTRAINT "domain_rules_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "groups" ADD CONSTRAINT "groups_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_types" ADD CONSTRAINT "ticket_types_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_statuses" ADD CONSTRAINT "account_statuses_account_id_email_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."email_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connection_errors" ADD CONSTRAINT "connection_errors_account_id_email_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."email_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "email_accounts" ADD CONSTRAINT "email_accounts_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "email_accounts" ADD CONSTRAINT "email_accounts_ticket_type_id_ticket_types_id_fk" FOREIGN KEY ("ticket_type_id") REFERENCES "public"."ticket_types"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "email_accounts" ADD CONSTRAINT "email_accounts_group_id_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."groups"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_action_id_ticket_actions_id_fk" FOREIGN KEY ("action_id") REFERENCES "public"."ticket_actions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_uploaded_by_id_users_id_fk" FOREIGN KEY ("uploaded_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_actions" ADD CONSTRAINT "ticket_actions_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_actions" ADD CONSTRAINT "ticket_actions_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_actions" ADD CONSTRAINT "ticket_actions_account_id_email_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."email_accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_actions" ADD CONSTRAINT "ticket_actions_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_message_ids" ADD CONSTRAINT "ticket_message_ids_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_message_ids" ADD CONSTRAINT "ticket_message_ids_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_message_ids" ADD CONSTRAINT "ticket_message_ids_action_id_ticket_actions_id_fk" FOREIGN KEY ("action_id") REFERENCES "public"."ticket_actions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_customer_id_clients_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."clients"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_account_id_email_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."email_accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_type_id_ticket_types_id_fk" FOREIGN KEY ("type_id") REFERENCES "public"."ticket_types"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_group_id_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."groups"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_assignee_id_users_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "failed_imports" ADD CONSTRAINT "failed_imports_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "failed_imports" ADD CONSTRAINT "failed_imports_account_id_email_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."email_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imported_messages" ADD CONSTRAINT "imported_messages_account_id_email_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."email_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imported_messages" ADD CONSTRAINT "imported_messages_action_id_ticket_actions_id_fk" FOREIGN KEY ("action_id") REFERENCES "public"."ticket_actions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailbox_leases" ADD CONSTRAINT "mailbox_leases_account_id_email_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."email_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailbox_sync_states" ADD CONSTRAINT "mailbox_sync_states_account_id_email_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."email_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_account_id_email_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."email_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_action_id_ticket_actions_id_fk" FOREIGN KEY ("action_id") REFERENCES "public"."ticket_actions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refused_messages" ADD CONSTRAINT "refused_messages_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refused_messages" ADD CONSTRAINT "refused_messages_account_id_email_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."email_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_unique" ON "users" USING btree (lower("email"));--> statement-breakpoint
CREATE UNIQUE INDEX "clients_workspace_email" ON "clients" USING btree ("workspace_id","email");--> statement-breakpoint
CREATE INDEX "clients_workspace_name" ON "clients" USING btree ("workspace_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "domain_rules_workspace_domain" ON "domain_rules" USING btree ("workspace_id","domain");--> statement-breakpoint
CREATE UNIQUE INDEX "groups_workspace_name" ON "groups" USING btree ("workspace_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "ticket_types_workspace_name" ON "ticket_types" USING btree ("workspace_id","name");--> statement-breakpoint
CREATE INDEX "connection_errors_account_at" ON "connection_errors" USING btree ("account_id","at");--> statement-breakpoint
CREATE INDEX "email_accounts_workspace" ON "email_accounts" USING btree ("workspace_id");--> statement-breakpoint
CREATE UNIQUE INDEX "email_accounts_builtin_address" ON "email_accounts" USING btree (lower("address")) WHERE "email_accounts"."kind" = 'BUILTIN';--> statement-breakpoint
CREATE INDEX "attachments_action" ON "attachments" USING btree ("action_id");--> statement-breakpoint
CREATE INDEX "ticket_actions_ticket" ON "ticket_actions" USING btree ("ticket_id","created_at","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "ticket_message_ids_key" ON "ticket_message_ids" USING btree ("workspace_id","message_id");--> statement-breakpoint
CREATE INDEX "ticket_message_ids_action" ON "ticket_message_ids" USING btree ("action_id");--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_workspace_number" ON "tickets" USING btree ("workspace_id","number");--> statement-breakpoint
CREATE INDEX "tickets_workspace_updated" ON "tickets" USING btree ("workspace_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "tickets_workspace_subject" ON "tickets" USING btree ("workspace_id","normalized_subject");--> statement-breakpoint
CREATE INDEX "tickets_workspace_filters" ON "tickets" USING btree ("workspace_id","status","group_id","account_id","type_id","assignee_id");--> statement-breakpoint
CREATE UNIQUE INDEX "failed_imports_source" ON "failed_imports" USING btree ("account_id","source_key");--> statement-breakpoint
CREATE INDEX "failed_imports_workspace" ON "failed_imports" USING btree ("workspace_id","at");--> statement-breakpoint
CREATE INDEX "imported_messages_account_imported" ON "imported_messages" USING btree ("account_id","imported_at");--> statement-breakpoint
CREATE INDEX "outbox_due" ON "outbox" USING btree ("state","next_attempt_at");--> statement-breakpoint
CREATE INDEX "refused_messages_workspace" ON "refused_messages" USING btree ("workspace_id","at");