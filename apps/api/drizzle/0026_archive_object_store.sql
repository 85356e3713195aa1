ALTER TABLE "conversation_archives" ALTER COLUMN "payload" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "conversation_archives" ADD COLUMN "object_key" text;