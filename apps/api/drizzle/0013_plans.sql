CREATE TABLE "plans" (
	"id" text PRIMARY KEY NOT NULL,
	"name_ko" text NOT NULL,
	"name_en" text NOT NULL,
	"monthly_tokens" bigint NOT NULL,
	"models" jsonb,
	"completion_limit" integer NOT NULL,
	"turns_per_minute" integer NOT NULL,
	"concurrent_turns" integer NOT NULL,
	"price_krw" integer NOT NULL,
	"for_sale" boolean DEFAULT false NOT NULL,
	"retired_at" timestamp with time zone,
	"managed_by" text DEFAULT 'config' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "plans_figures_valid" CHECK ("plans"."monthly_tokens" >= 0 and "plans"."completion_limit" > 0 and "plans"."turns_per_minute" > 0 and "plans"."concurrent_turns" > 0 and "plans"."price_krw" >= 0),
	CONSTRAINT "plans_managed_by_check" CHECK ("plans"."managed_by" in ('config', 'admin'))
);
--> statement-breakpoint
-- Every existing account moves to `free` with its balances as they are; the start seeds the other plans and free's figures from config.
-- Stop the instances of the previous build before this migration: they open and close holds without counting them in open_holds.
INSERT INTO "plans" ("id", "name_ko", "name_en", "monthly_tokens", "completion_limit", "turns_per_minute", "concurrent_turns", "price_krw", "for_sale")
VALUES ('free', '무료', 'Free', 100000, 2048, 30, 5, 0, true);--> statement-breakpoint
ALTER TABLE "token_accounts" DROP CONSTRAINT "token_accounts_non_negative";--> statement-breakpoint
DROP INDEX "token_holds_user_idx";--> statement-breakpoint
ALTER TABLE "token_accounts" ADD COLUMN "plan_id" text DEFAULT 'free' NOT NULL;--> statement-breakpoint
ALTER TABLE "token_accounts" ADD COLUMN "next_plan_id" text;--> statement-breakpoint
ALTER TABLE "token_accounts" ADD COLUMN "open_holds" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE "token_accounts" SET "open_holds" = open.count
FROM (SELECT "user_id", count(*)::int AS count FROM "token_holds" WHERE "status" = 'OPEN' GROUP BY "user_id") open
WHERE open."user_id" = "token_accounts"."user_id";--> statement-breakpoint
ALTER TABLE "token_accounts" ADD CONSTRAINT "token_accounts_plan_id_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "token_accounts" ADD CONSTRAINT "token_accounts_next_plan_id_plans_id_fk" FOREIGN KEY ("next_plan_id") REFERENCES "public"."plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ledger_entries_plan_changes_idx" ON "ledger_entries" USING btree ("user_id","period_key") WHERE "ledger_entries"."kind" = 'PLAN_CHANGE';--> statement-breakpoint
CREATE INDEX "token_holds_user_created_idx" ON "token_holds" USING btree ("user_id","created_at");--> statement-breakpoint
ALTER TABLE "token_accounts" ADD CONSTRAINT "token_accounts_non_negative" CHECK ("token_accounts"."free_tokens" >= 0 and "token_accounts"."purchased_tokens" >= 0 and "token_accounts"."debt_tokens" >= 0 and "token_accounts"."held_tokens" >= 0 and "token_accounts"."period_capacity_tokens" >= 0 and "token_accounts"."period_consumed_tokens" >= 0 and "token_accounts"."open_holds" >= 0);