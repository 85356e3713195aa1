ALTER TABLE "ledger_entries" ADD COLUMN "api_key_id" uuid;--> statement-breakpoint
ALTER TABLE "token_holds" ADD COLUMN "api_key_id" uuid;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "monthly_budget_tokens" bigint;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "models" text[];--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "turns_per_minute" integer;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "concurrent_turns" integer;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "keep_conversations" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "period_key" text;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "held_tokens" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "consumed_tokens" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "open_holds" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "ledger_entries_api_key_idx" ON "ledger_entries" USING btree ("api_key_id","created_at") WHERE "ledger_entries"."api_key_id" is not null;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_budget_non_negative" CHECK ("api_keys"."monthly_budget_tokens" is null or "api_keys"."monthly_budget_tokens" >= 0);--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_usage_non_negative" CHECK ("api_keys"."held_tokens" >= 0 and "api_keys"."open_holds" >= 0);