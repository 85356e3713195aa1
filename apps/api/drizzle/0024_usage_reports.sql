CREATE TABLE "cohort_reports" (
	"month" text PRIMARY KEY NOT NULL,
	"data" jsonb NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "usage_reports" (
	"account_id" uuid NOT NULL,
	"member_id" uuid NOT NULL,
	"month" text NOT NULL,
	"tokens" bigint NOT NULL,
	"turns" integer NOT NULL,
	"active_days" integer NOT NULL,
	"avg_tokens_per_turn" integer NOT NULL,
	"p90_tokens_per_turn" integer NOT NULL,
	"by_day" jsonb NOT NULL,
	"by_hour" jsonb NOT NULL,
	"by_model" jsonb NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_reports_month_account_id_member_id_pk" PRIMARY KEY("month","account_id","member_id")
);
--> statement-breakpoint
CREATE INDEX "ledger_entries_created_brin" ON "ledger_entries" USING brin ("created_at");