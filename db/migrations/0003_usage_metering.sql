CREATE TABLE "usage_daily" (
	"workspace_id" text NOT NULL,
	"day" date NOT NULL,
	"cost_micros" bigint NOT NULL,
	CONSTRAINT "usage_daily_workspace_id_day_pk" PRIMARY KEY("workspace_id","day")
);
--> statement-breakpoint
CREATE TABLE "usage_event" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"user_id" text NOT NULL,
	"chat_id" text,
	"kind" text NOT NULL,
	"model" text NOT NULL,
	"input_tokens" integer NOT NULL,
	"output_tokens" integer NOT NULL,
	"cost_micros" bigint NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone NOT NULL,
	"outcome" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_event_kind_check" CHECK ("usage_event"."kind" in ('answer', 'title')),
	CONSTRAINT "usage_event_outcome_check" CHECK ("usage_event"."outcome" in ('done', 'stopped', 'error', 'aborted')),
	CONSTRAINT "usage_event_amounts_check" CHECK ("usage_event"."cost_micros" >= 0 and "usage_event"."input_tokens" >= 0 and "usage_event"."output_tokens" >= 0)
);
--> statement-breakpoint
CREATE TABLE "usage_reservation" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"user_id" text NOT NULL,
	"amount_micros" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "usage_reservation_amount_check" CHECK ("usage_reservation"."amount_micros" >= 0)
);
--> statement-breakpoint
ALTER TABLE "usage_daily" ADD CONSTRAINT "usage_daily_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_event" ADD CONSTRAINT "usage_event_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_reservation" ADD CONSTRAINT "usage_reservation_workspace_id_workspace_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspace"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "usage_event_workspace_id_ended_at_idx" ON "usage_event" USING btree ("workspace_id","ended_at");--> statement-breakpoint
CREATE INDEX "usage_reservation_workspace_id_idx" ON "usage_reservation" USING btree ("workspace_id");--> statement-breakpoint
-- The quota check of reserveQuota (db/usage.ts) for a batch of calls: p_items is a JSON array
-- of {id, workspaceId, userId, amountMicros, expiresAt}, all checked at p_now against the period
-- [p_period_from, p_period_to). JSON rather than arrays so every driver passes it alike. One statement: one round trip and one
-- commit for the whole batch. Items are admitted in order while they fit, as if reserved one
-- after the other. Answers one row per item: 'reserved' (available = what is left after it),
-- 'exists', 'exceeded' (available = what was left) or 'not_found'.
CREATE FUNCTION "usage_reserve"(
	p_items jsonb,
	p_now timestamptz,
	p_period_from timestamptz,
	p_period_to timestamptz,
	p_budgets jsonb,
	p_default_budget bigint
) RETURNS TABLE ("item" integer, "result_status" text, "budget_micros" bigint, "available_micros" bigint)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	v_ids text[];
	v_workspace_ids text[];
	v_user_ids text[];
	v_amounts bigint[];
	v_expires_ats timestamptz[];
	v_budget jsonb := '{}';
	v_available jsonb := '{}';
	v_taken text[];
	v_admitted integer[] := '{}';
	v_inserted text[];
	v_status text[] := '{}';
	v_left bigint[] := '{}';
	v_split_from timestamptz;
	v_split_to timestamptz;
	v_ws text;
	v_row record;
	i integer;
BEGIN
	SELECT array_agg(x ->> 'id' ORDER BY n), array_agg(x ->> 'workspaceId' ORDER BY n),
		array_agg(x ->> 'userId' ORDER BY n), array_agg((x ->> 'amountMicros')::bigint ORDER BY n),
		array_agg((x ->> 'expiresAt')::timestamptz ORDER BY n)
	INTO v_ids, v_workspace_ids, v_user_ids, v_amounts, v_expires_ats
	FROM jsonb_array_elements(p_items) WITH ORDINALITY AS t(x, n);
	-- Reservers of one workspace take turns on its row, so two of them never both fit into the
	-- same remaining budget. Locked in id order, so batches from several processes cannot
	-- deadlock. NO KEY UPDATE excludes other reservers and plan changes, but not the KEY SHARE
	-- lock of a foreign-key check, so settling a call never waits on this.
	PERFORM 1 FROM "workspace" w WHERE w."id" = ANY (v_workspace_ids) ORDER BY w."id" FOR NO KEY UPDATE;
	-- Spent in the period: whole UTC days from the daily rollup, the partial days at its edges
	-- (none for a calendar month) from the events. [v_split_from, v_split_to) is the whole days.
	v_split_from := date_trunc('day', p_period_from, 'UTC');
	IF v_split_from < p_period_from THEN v_split_from := v_split_from + interval '1 day'; END IF;
	v_split_to := date_trunc('day', p_period_to, 'UTC');
	IF v_split_from >= v_split_to THEN
		v_split_from := p_period_to;
		v_split_to := p_period_to;
	END IF;
	-- From here each statement takes a fresh snapshot (VOLATILE, READ COMMITTED), so it sees
	-- every reservation committed by the reservers that held the locks before us. Spent and
	-- reserved are read in one statement: a call settling meanwhile (event and rollup in,
	-- reservation out, one commit) counts either as its reservation or as its event, never as
	-- neither.
	FOR v_row IN
		SELECT w."id", coalesce((p_budgets ->> w."plan")::bigint, p_default_budget) AS budget,
			coalesce((SELECT sum(d."cost_micros") FROM "usage_daily" d WHERE d."workspace_id" = w."id"
				AND d."day" >= (v_split_from AT TIME ZONE 'UTC')::date AND d."day" < (v_split_to AT TIME ZONE 'UTC')::date), 0)
			+ coalesce((SELECT sum(e."cost_micros") FROM "usage_event" e WHERE e."workspace_id" = w."id"
				AND e."ended_at" >= p_period_from AND e."ended_at" < v_split_from), 0)
			+ coalesce((SELECT sum(e."cost_micros") FROM "usage_event" e WHERE e."workspace_id" = w."id"
				AND e."ended_at" >= v_split_to AND e."ended_at" < p_period_to), 0)
			+ coalesce((SELECT sum(r."amount_micros") FROM "usage_reservation" r WHERE r."workspace_id" = w."id"
				AND r."expires_at" > p_now), 0) AS used
		FROM "workspace" w WHERE w."id" = ANY (v_workspace_ids)
	LOOP
		v_budget := v_budget || jsonb_build_object(v_row."id", v_row.budget);
		v_available := v_available || jsonb_build_object(v_row."id", v_row.budget - v_row.used);
	END LOOP;
	-- Generations already settled or holding a live reservation (in any workspace).
	SELECT coalesce(array_agg(t."id"), '{}') INTO v_taken FROM (
		SELECT e."id" FROM "usage_event" e WHERE e."id" = ANY (v_ids)
		UNION SELECT r."id" FROM "usage_reservation" r WHERE r."id" = ANY (v_ids) AND r."expires_at" > p_now
	) t;
	FOR i IN 1 .. coalesce(array_length(v_ids, 1), 0) LOOP
		v_ws := v_workspace_ids[i];
		IF NOT v_available ? v_ws THEN
			v_status := v_status || 'not_found'::text;
			v_left := v_left || NULL::bigint;
		ELSIF v_ids[i] = ANY (v_taken) THEN
			v_status := v_status || 'exists'::text;
			v_left := v_left || (v_available ->> v_ws)::bigint;
		ELSIF v_amounts[i] > (v_available ->> v_ws)::bigint THEN
			v_status := v_status || 'exceeded'::text;
			v_left := v_left || (v_available ->> v_ws)::bigint;
		ELSE
			v_available := jsonb_set(v_available, ARRAY[v_ws], to_jsonb((v_available ->> v_ws)::bigint - v_amounts[i]));
			v_taken := v_taken || v_ids[i];
			v_admitted := v_admitted || i;
			v_status := v_status || 'reserved'::text;
			v_left := v_left || (v_available ->> v_ws)::bigint;
		END IF;
	END LOOP;
	-- An expired reservation under an admitted id (its process died, the call is retried) is
	-- taken over: it holds no budget any more, so "exists" would let the retry run unreserved.
	WITH ins AS (
		INSERT INTO "usage_reservation" AS r ("id", "workspace_id", "user_id", "amount_micros", "created_at", "expires_at")
		SELECT v_ids[a], v_workspace_ids[a], v_user_ids[a], v_amounts[a], p_now, v_expires_ats[a] FROM unnest(v_admitted) AS a
		ON CONFLICT ("id") DO UPDATE SET
			"workspace_id" = excluded."workspace_id",
			"user_id" = excluded."user_id",
			"amount_micros" = excluded."amount_micros",
			"created_at" = excluded."created_at",
			"expires_at" = excluded."expires_at"
		WHERE r."expires_at" <= p_now
		RETURNING r."id"
	) SELECT coalesce(array_agg(ins."id"), '{}') INTO v_inserted FROM ins;
	FOR i IN 1 .. coalesce(array_length(v_ids, 1), 0) LOOP
		-- Only a live reservation under this id, made in another workspace since we looked, is
		-- not inserted: report it as existing.
		IF v_status[i] = 'reserved' AND NOT v_ids[i] = ANY (v_inserted) THEN
			v_status[i] := 'exists';
		END IF;
		RETURN QUERY SELECT i, v_status[i], (v_budget ->> v_workspace_ids[i])::bigint, v_left[i];
	END LOOP;
END;
$$;
--> statement-breakpoint
-- usage_daily follows usage_event in the same statement, whatever writes the events (recordUsage,
-- a backfill, a test inserting history), so the quota's sum never disagrees with the events.
-- Statement-level, over transition tables: one upsert per (workspace, day) a statement touches,
-- in key order, so two statements touching the same workspaces lock the rows in the same order.
CREATE FUNCTION "usage_daily_follow_events"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		INSERT INTO "usage_daily" AS d ("workspace_id", "day", "cost_micros")
		SELECT o."workspace_id", (o."ended_at" AT TIME ZONE 'UTC')::date, -sum(o."cost_micros")
		FROM "old_events" o
		-- A workspace being deleted takes its rollup with it (cascade): nothing to subtract.
		WHERE EXISTS (SELECT 1 FROM "workspace" w WHERE w."id" = o."workspace_id")
		GROUP BY 1, 2 ORDER BY 1, 2
		ON CONFLICT ("workspace_id", "day") DO UPDATE SET "cost_micros" = d."cost_micros" + excluded."cost_micros";
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		INSERT INTO "usage_daily" AS d ("workspace_id", "day", "cost_micros")
		SELECT n."workspace_id", (n."ended_at" AT TIME ZONE 'UTC')::date, sum(n."cost_micros")
		FROM "new_events" n
		GROUP BY 1, 2 ORDER BY 1, 2
		ON CONFLICT ("workspace_id", "day") DO UPDATE SET "cost_micros" = d."cost_micros" + excluded."cost_micros";
	END IF;
	RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "usage_event_rollup_insert" AFTER INSERT ON "usage_event"
	REFERENCING NEW TABLE AS "new_events" FOR EACH STATEMENT EXECUTE FUNCTION "usage_daily_follow_events"();--> statement-breakpoint
CREATE TRIGGER "usage_event_rollup_update" AFTER UPDATE ON "usage_event"
	REFERENCING OLD TABLE AS "old_events" NEW TABLE AS "new_events" FOR EACH STATEMENT EXECUTE FUNCTION "usage_daily_follow_events"();--> statement-breakpoint
CREATE TRIGGER "usage_event_rollup_delete" AFTER DELETE ON "usage_event"
	REFERENCING OLD TABLE AS "old_events" FOR EACH STATEMENT EXECUTE FUNCTION "usage_daily_follow_events"();
