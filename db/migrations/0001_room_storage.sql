CREATE TABLE "room_snapshot" (
	"room" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"state" "bytea" NOT NULL,
	"up_to_id" bigint NOT NULL,
	"update_count" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "room_update" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"room" text NOT NULL,
	"workspace_id" text NOT NULL,
	"update" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "room_snapshot" ADD CONSTRAINT "room_snapshot_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "room_update" ADD CONSTRAINT "room_update_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "room_snapshot_workspace_id_idx" ON "room_snapshot" USING btree ("workspace_id");--> statement-breakpoint
CREATE INDEX "room_update_room_id_idx" ON "room_update" USING btree ("room","id");--> statement-breakpoint
CREATE INDEX "room_update_workspace_id_idx" ON "room_update" USING btree ("workspace_id");