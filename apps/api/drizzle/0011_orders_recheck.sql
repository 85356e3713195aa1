ALTER TABLE "payments" ADD COLUMN "recheck_until" timestamp with time zone;--> statement-breakpoint
-- Orders left pending by the retired generic `webhook` provider can never be confirmed any more.
UPDATE "payments" SET "status" = 'FAILED', "failure_code" = 'PROVIDER_RETIRED', "failure_message" = 'The payment was never confirmed by the payment provider this order was made with.' WHERE "status" = 'PENDING' AND "provider" = 'webhook';
