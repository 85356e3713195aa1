CREATE TABLE "idempotency_keys" (
	"owner_id" text NOT NULL,
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"response" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_owner_id_scope_key_pk" PRIMARY KEY("owner_id","scope","key")
);
--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ledger_entries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"period_key" text NOT NULL,
	"amount_tokens" bigint NOT NULL,
	"free_delta" bigint DEFAULT 0 NOT NULL,
	"purchased_delta" bigint DEFAULT 0 NOT NULL,
	"debt_delta" bigint DEFAULT 0 NOT NULL,
	"held_delta" bigint DEFAULT 0 NOT NULL,
	"capacity_delta" bigint DEFAULT 0 NOT NULL,
	"consumed_delta" bigint DEFAULT 0 NOT NULL,
	"hold_id" uuid,
	"payment_id" uuid,
	"actor_id" uuid,
	"reason" text,
	"metadata" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_entries_amount_non_negative" CHECK ("ledger_entries"."amount_tokens" >= 0)
);
--> statement-breakpoint
CREATE TABLE "payment_events" (
	"event_id" text PRIMARY KEY NOT NULL,
	"payment_id" uuid NOT NULL,
	"type" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"package_id" text NOT NULL,
	"tokens" bigint NOT NULL,
	"amount_krw" integer NOT NULL,
	"provider" text NOT NULL,
	"status" text DEFAULT 'PENDING' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"paid_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "token_accounts" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"period_key" text NOT NULL,
	"free_tokens" bigint DEFAULT 0 NOT NULL,
	"purchased_tokens" bigint DEFAULT 0 NOT NULL,
	"debt_tokens" bigint DEFAULT 0 NOT NULL,
	"held_tokens" bigint DEFAULT 0 NOT NULL,
	"period_capacity_tokens" bigint DEFAULT 0 NOT NULL,
	"period_consumed_tokens" bigint DEFAULT 0 NOT NULL,
	"last_active_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "token_accounts_non_negative" CHECK ("token_accounts"."free_tokens" >= 0 and "token_accounts"."purchased_tokens" >= 0 and "token_accounts"."debt_tokens" >= 0 and "token_accounts"."held_tokens" >= 0 and "token_accounts"."period_capacity_tokens" >= 0 and "token_accounts"."period_consumed_tokens" >= 0)
);
--> statement-breakpoint
CREATE TABLE "token_holds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"tokens" bigint NOT NULL,
	"status" text DEFAULT 'OPEN' NOT NULL,
	"period_key" text NOT NULL,
	"purpose" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	CONSTRAINT "token_holds_tokens_positive" CHECK ("token_holds"."tokens" > 0)
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" text DEFAULT 'USER' NOT NULL,
	"locale" text DEFAULT 'ko' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_role_check" CHECK ("users"."role" in ('USER', 'ADMIN'))
);
--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "token_accounts" ADD CONSTRAINT "token_accounts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "token_holds" ADD CONSTRAINT "token_holds_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ledger_entries_user_id_idx" ON "ledger_entries" USING btree ("user_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_entries_one_grant_per_period" ON "ledger_entries" USING btree ("user_id","period_key") WHERE "ledger_entries"."kind" = 'MONTHLY_GRANT';--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_entries_one_purchase_per_payment" ON "ledger_entries" USING btree ("payment_id") WHERE "ledger_entries"."kind" = 'PURCHASE';--> statement-breakpoint
CREATE INDEX "payments_user_idx" ON "payments" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "token_holds_open_expiry_idx" ON "token_holds" USING btree ("expires_at") WHERE "token_holds"."status" = 'OPEN';--> statement-breakpoint
CREATE INDEX "token_holds_user_idx" ON "token_holds" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_key" ON "users" USING btree ("email");