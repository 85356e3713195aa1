ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_user_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "token_accounts" DROP CONSTRAINT "token_accounts_user_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "token_holds" DROP CONSTRAINT "token_holds_user_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "notification_throttle" ADD COLUMN "scope" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "notification_throttle" DROP CONSTRAINT "notification_throttle_user_id_kind_pk";--> statement-breakpoint
ALTER TABLE "notification_throttle" ADD CONSTRAINT "notification_throttle_user_id_kind_scope_pk" PRIMARY KEY("user_id","kind","scope");--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "organization_id" uuid;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD COLUMN "member_id" uuid;--> statement-breakpoint
ALTER TABLE "token_accounts" ADD COLUMN "organization_id" uuid;--> statement-breakpoint
ALTER TABLE "token_holds" ADD COLUMN "member_id" uuid;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "organization_id" uuid;--> statement-breakpoint
ALTER TABLE "organization_members" ADD COLUMN "period_key" text;--> statement-breakpoint
ALTER TABLE "organization_members" ADD COLUMN "held_tokens" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "organization_members" ADD COLUMN "consumed_tokens" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "organization_members" ADD COLUMN "open_holds" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "token_accounts" ADD CONSTRAINT "token_accounts_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ledger_entries_member_idx" ON "ledger_entries" USING btree ("user_id","member_id","period_key") WHERE "ledger_entries"."member_id" is not null;--> statement-breakpoint
CREATE INDEX "token_holds_member_created_idx" ON "token_holds" USING btree ("member_id","created_at") WHERE "token_holds"."member_id" is not null;--> statement-breakpoint
ALTER TABLE "token_accounts" ADD CONSTRAINT "token_accounts_organization_check" CHECK ("token_accounts"."organization_id" is null or "token_accounts"."organization_id" = "token_accounts"."user_id");--> statement-breakpoint
ALTER TABLE "organization_members" ADD CONSTRAINT "organization_members_usage_check" CHECK ("organization_members"."held_tokens" >= 0 and "organization_members"."consumed_tokens" >= 0 and "organization_members"."open_holds" >= 0);--> statement-breakpoint
-- token_accounts, ledger_entries and token_holds name an account that is a user's or an
-- organization's pool, so no foreign key can say which: these triggers keep what the dropped
-- ones did (the rows go with their user), and do the same for an organization.
CREATE FUNCTION token_account_owner_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM token_holds WHERE user_id = OLD.id;
  DELETE FROM ledger_entries WHERE user_id = OLD.id;
  DELETE FROM token_accounts WHERE user_id = OLD.id;
  RETURN OLD;
END
$$;
--> statement-breakpoint
CREATE TRIGGER users_token_account_deleted AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION token_account_owner_deleted();
--> statement-breakpoint
CREATE TRIGGER organizations_token_account_deleted BEFORE DELETE ON organizations FOR EACH ROW EXECUTE FUNCTION token_account_owner_deleted();
--> statement-breakpoint
-- Every existing organization gets its pool: an account on the free plan with this period's
-- allowance, granted through the ledger like any account's (the period is the one the newest
-- account is in; the first change of the pool moves it on if a new one began since).
INSERT INTO token_accounts (user_id, organization_id, period_key, free_tokens, period_capacity_tokens, plan_id)
SELECT o.id, o.id, p.period_key, f.monthly_tokens, f.monthly_tokens, 'free'
FROM organizations o
CROSS JOIN (SELECT monthly_tokens FROM plans WHERE id = 'free') f
CROSS JOIN (SELECT coalesce(max(period_key), to_char(now(), 'YYYY-MM')) AS period_key FROM token_accounts) p
ON CONFLICT DO NOTHING;
--> statement-breakpoint
INSERT INTO ledger_entries (user_id, period_key, kind, amount_tokens, free_delta, capacity_delta, metadata)
SELECT a.user_id, a.period_key, 'MONTHLY_GRANT', a.free_tokens, a.free_tokens, a.period_capacity_tokens, jsonb_build_object('planId', 'free', 'migration', '0015')
FROM token_accounts a
WHERE a.organization_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.user_id = a.user_id);
--> statement-breakpoint
UPDATE organization_members m SET period_key = a.period_key FROM token_accounts a WHERE a.user_id = m.organization_id AND m.period_key IS NULL;
