ALTER TABLE "workspace_member" ADD COLUMN "default_model" text;--> statement-breakpoint
ALTER TABLE "workspace" ADD COLUMN "default_model" text;