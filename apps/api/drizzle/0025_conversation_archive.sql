CREATE TABLE "conversation_archives" (
	"conversation_id" uuid PRIMARY KEY NOT NULL,
	"storage" text DEFAULT 'postgres' NOT NULL,
	"payload" "bytea" NOT NULL,
	"sha256" text NOT NULL,
	"message_count" integer NOT NULL,
	"bytes_raw" integer NOT NULL,
	"bytes_stored" integer NOT NULL,
	"archived_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "archived_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "conversation_archives" ADD CONSTRAINT "conversation_archives_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "conversations_archive_due_idx" ON "conversations" USING btree ("updated_at") WHERE "conversations"."archived_at" is null;