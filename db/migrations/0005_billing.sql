CREATE TABLE "meter_outbox" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"stripe_customer_id" text NOT NULL,
	"value_micros" bigint NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"last_error" text
);
--> statement-breakpoint
CREATE TABLE "stripe_event" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"workspace_id" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "workspace" ADD COLUMN "stripe_customer_id" text;--> statement-breakpoint
ALTER TABLE "workspace" ADD COLUMN "stripe_subscription_id" text;--> statement-breakpoint
ALTER TABLE "workspace" ADD COLUMN "billing_plan" text;--> statement-breakpoint
ALTER TABLE "workspace" ADD COLUMN "billing_status" text DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE "workspace" ADD COLUMN "current_period_end" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "workspace" ADD COLUMN "cancel_at_period_end" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "workspace" ADD COLUMN "past_due_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "workspace" ADD COLUMN "billed_seats" integer;--> statement-breakpoint
ALTER TABLE "workspace" ADD COLUMN "included_usage_micros" bigint DEFAULT 2000000 NOT NULL;--> statement-breakpoint
ALTER TABLE "meter_outbox" ADD CONSTRAINT "meter_outbox_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "meter_outbox_due_idx" ON "meter_outbox" USING btree ("next_attempt_at") WHERE "meter_outbox"."sent_at" is null;--> statement-breakpoint
ALTER TABLE "workspace" ADD CONSTRAINT "workspace_stripe_customer_id_unique" UNIQUE("stripe_customer_id");--> statement-breakpoint
-- Overage of billed workspaces goes into meter_outbox in the statement that records the usage
-- (db/schema/billing.ts), so no overage is lost to a crash between recording and reporting.
-- A workspace is billed for overage while the plan in force is its subscribed one. Each event's
-- overage is what it adds beyond the included usage of its calendar month: the month's spend
-- before this statement (usage_daily; this trigger fires before the rollup's, by name) plus the
-- events of this statement up to it. Billed workspaces are locked in id order, so two settling
-- statements of one workspace take turns and each sees the other's spend.
CREATE FUNCTION "meter_outbox_follow_events"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM 1 FROM "workspace" w
	WHERE w."id" IN (SELECT n."workspace_id" FROM "new_events" n)
		AND w."stripe_customer_id" IS NOT NULL AND w."plan" = w."billing_plan"
	ORDER BY w."id" FOR NO KEY UPDATE;
	INSERT INTO "meter_outbox" ("id", "workspace_id", "stripe_customer_id", "value_micros", "occurred_at")
	SELECT x."id", x."workspace_id", x."stripe_customer_id", LEAST(x."cost", x."before" + x."running" - x."included"), x."ended_at"
	FROM (
		SELECT n."id", n."workspace_id", n."ended_at", n."cost_micros" AS "cost", w."stripe_customer_id",
			w."included_usage_micros" AS "included",
			sum(n."cost_micros") OVER (
				PARTITION BY n."workspace_id", date_trunc('month', n."ended_at", 'UTC')
				ORDER BY n."ended_at", n."id"
			) AS "running",
			coalesce((SELECT sum(d."cost_micros") FROM "usage_daily" d WHERE d."workspace_id" = n."workspace_id"
				AND d."day" >= (date_trunc('month', n."ended_at", 'UTC') AT TIME ZONE 'UTC')::date
				AND d."day" < ((date_trunc('month', n."ended_at", 'UTC') + interval '1 month') AT TIME ZONE 'UTC')::date), 0) AS "before"
		FROM "new_events" n JOIN "workspace" w ON w."id" = n."workspace_id"
		WHERE w."stripe_customer_id" IS NOT NULL AND w."plan" = w."billing_plan"
	) x
	WHERE x."cost" > 0 AND x."before" + x."running" - x."included" > 0
	ON CONFLICT ("id") DO NOTHING;
	RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "usage_event_meter_outbox" AFTER INSERT ON "usage_event"
	REFERENCING NEW TABLE AS "new_events" FOR EACH STATEMENT EXECUTE FUNCTION "meter_outbox_follow_events"();
