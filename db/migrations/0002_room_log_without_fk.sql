ALTER TABLE "room_update" DROP CONSTRAINT "room_update_workspace_id_workspace_id_fk";
--> statement-breakpoint
-- The sync log has no foreign key (see db/schema/sync.ts); a deleted workspace takes its log with it here.
CREATE FUNCTION "delete_room_log_of_workspace"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM "room_update" WHERE "workspace_id" = OLD."id";
	RETURN OLD;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "workspace_deletes_room_log" AFTER DELETE ON "workspace" FOR EACH ROW EXECUTE FUNCTION "delete_room_log_of_workspace"();
