-- ---------------------------------------------------------------------------
-- Monitors: one run of a check (shared by the worker, run_monitor and
-- run_due_monitors), alerts, retention and the status view
-- ---------------------------------------------------------------------------

-- An alert's JSON, cut down if needed so that NOTIFY accepts it (payloads
-- must stay under 8000 bytes): long slice values and error texts are
-- shortened first, and in the worst case only the identifying fields remain.
CREATE FUNCTION drift._fit_payload(payload jsonb) RETURNS jsonb
  LANGUAGE plpgsql IMMUTABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  p jsonb := payload;
BEGIN
  IF octet_length(p::text) < 7000 THEN
    RETURN p;
  END IF;
  p := p || jsonb_build_object('truncated', true,
                               'slice', left(p->>'slice', 1000),
                               'error', left(p->>'error', 1000),
                               'monitor', left(p->>'monitor', 1000),
                               'relation', left(p->>'relation', 500),
                               'column', left(p->>'column', 200));
  p := jsonb_strip_nulls(p);
  IF octet_length(p::text) < 7000 THEN
    RETURN p;
  END IF;
  RETURN jsonb_build_object('state', p->'state', 'monitor_id', p->'monitor_id',
                            'monitor', left(p->>'monitor', 200),
                            'alert_id', p->'alert_id', 'result_id', p->'result_id',
                            'truncated', true);
END
$fn$;
COMMENT ON FUNCTION drift._fit_payload(jsonb) IS
  'Shorten an alert payload to stay well under NOTIFY''s 8000-byte limit';

-- How long a monitor waits after its n-th consecutive failure: 2^(n-1)
-- seconds (1 s, 2 s, 4 s ...).  The first max_retries failures are retried
-- sooner than the schedule (capped at the schedule and 5 minutes); later
-- ones wait at least the schedule and at most an hour (or the schedule, if
-- longer), so a monitor that keeps failing costs its owner, and the server,
-- ever less.  Every wait is jittered (x 0.5..1) so that monitors failing
-- together do not retry together.
CREATE FUNCTION drift._retry_delay(failures integer, max_retries integer, schedule interval)
  RETURNS interval
  LANGUAGE sql VOLATILE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT CASE WHEN failures <= max_retries
              THEN least(schedule, interval '5 minutes', d)
              ELSE least(greatest(schedule, interval '1 hour'), greatest(schedule, d))
         END * (0.5 + random() / 2)
    FROM (SELECT interval '1 second' * power(2, least(greatest(failures - 1, 0), 30))) AS x(d)
$fn$;
COMMENT ON FUNCTION drift._retry_delay(integer, integer, interval) IS
  'Back-off of a failing monitor: 2^(n-1) s after the n-th failure, below the schedule for '
  'max_retries failures, then at least the schedule and at most an hour (jittered)';

-- Lock a monitor for a run.  A scheduler never waits for a monitor someone
-- holds locked (an open transaction of its owner would stall every other
-- monitor): with nowait the call fails at once with lock_not_available and
-- the pass moves on.  An all-NULL row when the monitor is gone.
CREATE FUNCTION drift._lock_monitor(p_id bigint, nowait boolean) RETURNS drift.monitors
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m drift.monitors;
BEGIN
  IF nowait THEN
    SELECT * INTO m FROM drift.monitors x WHERE x.monitor_id = p_id FOR UPDATE NOWAIT;
  ELSE
    SELECT * INTO m FROM drift.monitors x WHERE x.monitor_id = p_id FOR UPDATE;
  END IF;
  RETURN m;
END
$fn$;
COMMENT ON FUNCTION drift._lock_monitor(bigint, boolean) IS
  'Lock a monitor row for a run (NOWAIT for schedulers); all NULL when it does not exist';

-- The end of every run, failed or not, and the one place the back-off
-- (drift._retry_delay) is applied: the monitor's state, failure count,
-- slice states and next run.  A run that was due moves the schedule on: a
-- failure retries after the back-off; a success takes the next slot after
-- the one just run, and after downtime runs once and then keeps the schedule
-- (never a catch-up loop).  A run that was not due (run_monitor) leaves
-- next_run alone.
CREATE FUNCTION drift._finish_run(m drift.monitors, due boolean, state text,
                                  slice_state jsonb) RETURNS void
  LANGUAGE sql
  SET search_path = pg_catalog, pg_temp
AS $fn$
  UPDATE drift.monitors x
     SET last_run = now(), state = _finish_run.state, slice_state = _finish_run.slice_state,
         consecutive_failures = f.failures,
         next_run = CASE WHEN NOT due THEN m.next_run
                         WHEN _finish_run.state = 'error'
                           THEN now() + drift._retry_delay(f.failures, m.max_retries, m.schedule)
                         WHEN m.next_run + m.schedule <= now() THEN now() + m.schedule
                         ELSE m.next_run + m.schedule END
    FROM (SELECT CASE WHEN _finish_run.state = 'error'
                      THEN m.consecutive_failures + 1 ELSE 0 END) AS f(failures)
   WHERE x.monitor_id = m.monitor_id
$fn$;
COMMENT ON FUNCTION drift._finish_run(drift.monitors, boolean, text, jsonb) IS
  'Record the end of a run on its monitor: state, failures, slice states, next run '
  '(the back-off after a failure)';

-- The scheduler's last resort when a monitor's failure could not even be
-- recorded (drift._record_failure failed too): count the failure and push
-- the monitor back, writing nothing else, so it cannot be picked again and
-- again in the same pass.  The scheduler logs the failure instead.
CREATE FUNCTION drift._defer_monitor(p_id bigint) RETURNS void
  LANGUAGE sql
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT drift._finish_run(m, true, 'error', m.slice_state)
    FROM drift._lock_monitor(p_id, true) AS m
   WHERE m.monitor_id IS NOT NULL
$fn$;
COMMENT ON FUNCTION drift._defer_monitor(bigint) IS
  'Count a failure that could not be recorded and back the monitor off (scheduler only)';
REVOKE ALL ON FUNCTION drift._defer_monitor(bigint) FROM PUBLIC;

-- A run's per-slice bookkeeping (security review, finding 7: 5,000 slices
-- of 6 KB values took minutes and grew slice_state to 32 MB).  Everything
-- here is one pass of set operations, linear in the number of slices, and
-- what is kept between runs is bounded:
--   * a run may produce at most pg_drift.max_slices slices, else it fails
--     with an error result (drift._check_slice_count);
--   * slice_state is keyed by the slice's JSON text, or by its SHA-256 when
--     that text is longer than 200 bytes (drift._slice_key);
--   * slice_state keeps only slices that are pending or firing: any other
--     slice behaves exactly as one never seen ({"state": "ok", "breaches": 0}),
--     and slices missing from a run keep their entry only while the state
--     holds at most pg_drift.max_slices entries.
-- So slice_state stays under max_slices x about 250 bytes.

-- The key of a slice in drift.monitors.slice_state.
CREATE FUNCTION drift._slice_key(slice jsonb) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT CASE WHEN octet_length(t) <= 200 THEN t
              ELSE 'sha256:' || encode(sha256(textsend(t)), 'hex') END
    FROM (SELECT slice::text) AS s(t)
$fn$;
COMMENT ON FUNCTION drift._slice_key(jsonb) IS
  'Key of a slice in a monitor''s slice_state: its JSON text, or its SHA-256 when longer '
  'than 200 bytes';

-- Fail a run that produced more slices than pg_drift.max_slices.
CREATE FUNCTION drift._check_slice_count(m drift.monitors, n integer) RETURNS void
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  max_slices integer := drift._setting('max_slices', '10000')::integer;
BEGIN
  IF n > max_slices THEN
    RAISE EXCEPTION 'monitor "%" produced % slices, more than pg_drift.max_slices (%)',
                    m.name, n, max_slices
      USING ERRCODE = 'program_limit_exceeded',
            HINT = 'Slice by fewer or coarser columns, filter the rows, or ask a superuser '
                   'to raise pg_drift.max_slices.';
  END IF;
END
$fn$;
COMMENT ON FUNCTION drift._check_slice_count(drift.monitors, integer) IS
  'Raise program_limit_exceeded when a run produced more than pg_drift.max_slices slices';

-- Judge every slice of a successful run, write its results, and return the
-- results (in slice order), the alerts to send, the monitor's overall state
-- and its new slice_state.  Per slice: insufficient_data leaves the slice's
-- state alone; a breach counts towards fire_after (pending, then firing); no
-- breach is ok, or resolved after firing (src/worker/README.md).
CREATE FUNCTION drift._record_slices(m drift.monitors, comparison text,
                                     scheduled_for timestamptz, window_start timestamptz,
                                     window_end timestamptz, slices jsonb[], nrows bigint[],
                                     vals jsonb[],
                                     OUT results drift.results[], OUT alerts jsonb[],
                                     OUT state text, OUT slice_state jsonb)
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  max_slices integer := drift._setting('max_slices', '10000')::integer;
BEGIN
  -- one statement: the judged slices are computed once (a CTE referenced
  -- several times is materialized), written, and summarised
  WITH judged AS MATERIALIZED (
    SELECT v.i, v.slice, v.key, v.val, v.stat, v.pval, v.nbase, v.ncur,
           CASE WHEN v.ncur < m.min_rows OR v.stat IS NULL OR v.stat = 'NaN'
                     OR (comparison = 'p_value' AND v.pval IS NULL) THEN 'insufficient_data'
                WHEN v.breach THEN CASE WHEN v.prev_breaches + 1 >= m.fire_after
                                        THEN 'firing' ELSE 'pending' END
                WHEN v.prev_state = 'firing' THEN 'resolved'
                ELSE 'ok' END AS st,
           CASE WHEN v.breach THEN v.prev_breaches + 1 ELSE 0 END AS breaches,
           -- a value with alert fields of its own (a model check) alerts on
           -- a change of state only, not at every firing run
           coalesce(jsonb_typeof(v.val) = 'object' AND v.val ? 'alert' AND v.breach
                    AND v.prev_state = 'firing', false) AS quiet
      FROM (SELECT w.*,
                   coalesce((m.slice_state -> w.key ->> 'breaches')::integer, 0) AS prev_breaches,
                   m.slice_state -> w.key ->> 'state' AS prev_state,
                   CASE comparison
                     WHEN 'p_value' THEN w.pval < m.threshold
                                         AND (m.min_effect IS NULL OR w.stat >= m.min_effect)
                     WHEN 'above' THEN w.stat > m.threshold
                     WHEN 'at_least' THEN w.stat >= m.threshold
                     ELSE w.stat < m.lower_bound OR w.stat > m.upper_bound END AS breach
              FROM (SELECT u.i, u.slice, u.val, drift._slice_key(u.slice) AS key,
                           CASE WHEN jsonb_typeof(u.val) = 'object'
                                THEN (u.val ->> 'statistic')::float8
                                ELSE (u.val #>> '{}')::float8 END AS stat,
                           CASE WHEN jsonb_typeof(u.val) = 'object'
                                THEN (u.val ->> 'p_value')::float8 END AS pval,
                           CASE WHEN jsonb_typeof(u.val) = 'object'
                                THEN (u.val ->> 'n_baseline')::bigint END AS nbase,
                           coalesce(CASE WHEN jsonb_typeof(u.val) = 'object'
                                         THEN (u.val ->> 'n_current')::bigint END,
                                    u.n) AS ncur
                      FROM unnest(slices, nrows, vals) WITH ORDINALITY AS u(slice, n, val, i)) w
           ) v),
  ins AS (
    INSERT INTO drift.results (monitor_id, monitor, run_at, scheduled_for, window_start,
                               window_end, slice, metric, statistic, p_value, threshold,
                               n_baseline, n_current, state)
    SELECT m.monitor_id, m.name, now(), scheduled_for, window_start, window_end, j.slice,
           m.metric, j.stat, j.pval, m.threshold, j.nbase, j.ncur, j.st
      FROM judged j ORDER BY j.i
    RETURNING *),
  -- what to keep: this run's pending and firing slices (insufficient_data
  -- keeps what the slice had), then earlier runs' (firing first) while
  -- there is room
  kept AS (
    SELECT k.key, k.value
      FROM (SELECT j.key, 0 AS pri,
                   CASE WHEN j.st = 'insufficient_data' THEN m.slice_state -> j.key
                        ELSE jsonb_build_object('state', j.st, 'breaches', j.breaches)
                   END AS value
              FROM judged j
            UNION ALL
            SELECT e.key, 1, e.value FROM jsonb_each(m.slice_state) e
             WHERE NOT EXISTS (SELECT 1 FROM judged j WHERE j.key = e.key)) k
     WHERE k.value ->> 'state' IN ('pending', 'firing')
     ORDER BY k.pri, k.value ->> 'state' = 'firing' DESC, k.key
     LIMIT max_slices)
  SELECT (SELECT array_agg(ins::drift.results ORDER BY ins.result_id) FROM ins),
         (SELECT coalesce(array_agg(jsonb_build_object('result_id', ins.result_id,
                                                       'state', ins.state, 'slice', ins.slice,
                                                       'statistic', ins.statistic,
                                                       'p_value', ins.p_value,
                                                       'n_current', ins.n_current)
                                    -- a value may add fields to its alert (a model
                                    -- check: its drifted columns by rank)
                                    || coalesce(CASE WHEN jsonb_typeof(j.val) = 'object'
                                                     THEN j.val -> 'alert' END, '{}')
                                    ORDER BY ins.result_id), '{}')
            -- a join, not a subquery per slice: linear in the number of slices
            FROM ins JOIN judged j ON j.slice = ins.slice
           WHERE ins.state IN ('firing', 'resolved') AND NOT j.quiet),
         (SELECT CASE WHEN bool_or(j.st = 'firing') THEN 'firing'
                      WHEN bool_or(j.st = 'pending') THEN 'pending'
                      WHEN bool_or(j.st IN ('ok', 'resolved')) THEN 'ok'
                      ELSE 'insufficient_data' END
            FROM judged j),
         (SELECT coalesce(jsonb_object_agg(kept.key, kept.value), '{}') FROM kept)
    INTO results, alerts, state, slice_state;
END
$fn$;
COMMENT ON FUNCTION drift._record_slices(drift.monitors, text, timestamptz, timestamptz,
                                         timestamptz, jsonb[], bigint[], jsonb[]) IS
  'Judge a run''s slices, write their results, and return results, alerts, overall state '
  'and the new slice_state (linear in slices, bounded state)';

-- The window a run covers, ending at as_of (default now()); all NULL for a
-- monitor without window_size.  prev_start starts the window before it
-- (compare_to => 'previous_window').
CREATE FUNCTION drift._run_window(m drift.monitors, as_of timestamptz,
                                  OUT window_start timestamptz, OUT window_end timestamptz,
                                  OUT prev_start timestamptz)
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT e - m.window_size, e, e - 2 * m.window_size
    FROM (SELECT CASE WHEN m.window_size IS NOT NULL
                      -- labels arrive late: a window is judged label_delay after it ends
                      THEN coalesce(as_of, now()) - coalesce(m.label_delay, interval '0') END) AS w(e)
$fn$;
COMMENT ON FUNCTION drift._run_window(drift.monitors, timestamptz) IS
  'Start and end of the window a monitor''s run covers (and of the one before), NULL unwindowed';

-- Run the check's query as the owner (drift._run_check) and return one
-- element per slice (an unsliced empty window is one slice of no rows).
-- Every failure of the check, the timeout included (its own SQLSTATE,
-- 57D01), comes back as error instead: it is the check's result.  OTHERS
-- does not match query_canceled (57014): a cancel the caller asked for, or
-- the caller's own statement_timeout, ends the statement as usual.  relation
-- is the relation read, followed by OID and after a restore (new OIDs) by
-- name, which is then remembered.
CREATE FUNCTION drift._collect_slices(m drift.monitors, window_start timestamptz,
                                      window_end timestamptz, prev_start timestamptz,
                                      OUT slices jsonb[], OUT nrows bigint[], OUT vals jsonb[],
                                      OUT relation regclass, OUT error text)
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  BEGIN
    relation := (SELECT c.oid FROM pg_class c WHERE c.oid = m.relation_oid);
    IF relation IS NULL THEN
      relation := to_regclass(m.relation_name);
      IF relation IS NULL THEN
        RAISE EXCEPTION 'relation "%" of monitor "%" no longer exists', m.relation_name, m.name
          USING ERRCODE = 'undefined_table';
      END IF;
      UPDATE drift.monitors x SET relation_oid = relation WHERE x.monitor_id = m.monitor_id;
      m.relation_oid := relation;
    END IF;
    IF NOT has_table_privilege(m.owner, relation, 'SELECT') THEN
      RAISE EXCEPTION 'permission denied: role "%" cannot read %', m.owner, relation
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM drift.metrics met JOIN pg_proc p
                                  ON p.proname = met.function_name
                                 AND p.pronamespace = '@extschema@'::regnamespace
                    WHERE met.name = m.metric) THEN
      RAISE EXCEPTION 'metric "%" is not available in this database', m.metric
        USING ERRCODE = 'undefined_function';
    END IF;
    -- array_agg, not appends in a loop: linear in the number of slices
    SELECT coalesce(array_agg(x.slice), '{}'), coalesce(array_agg(x.n_rows), '{}'),
           coalesce(array_agg(x.r), '{}')
      INTO slices, nrows, vals
      FROM drift._run_check(m.monitor_id, m.owner, drift._monitor_sql(m), false,
                            window_start, window_end, m.baseline, m.column_name,
                            prev_start) x;
    PERFORM drift._check_slice_count(m, cardinality(slices));
  EXCEPTION WHEN OTHERS THEN
    error := SQLERRM;
    RETURN;
  END;
  IF cardinality(slices) = 0 THEN
    -- no row at all in the window: one slice saying so
    slices := ARRAY['{}'::jsonb];
    nrows := ARRAY[0::bigint];
    vals := ARRAY['null'::jsonb];
  END IF;
END
$fn$;
COMMENT ON FUNCTION drift._collect_slices(drift.monitors, timestamptz, timestamptz, timestamptz) IS
  'Run a monitor''s check as its owner: per slice its key, row count and value, or the error';

-- A run whose check failed: its one error result, and the alert to send.
CREATE FUNCTION drift._record_error(m drift.monitors, scheduled_for timestamptz,
                                    window_start timestamptz, window_end timestamptz,
                                    error text,
                                    OUT results drift.results[], OUT alerts jsonb[])
  LANGUAGE sql
  SET search_path = pg_catalog, pg_temp
AS $fn$
  WITH ins AS (
    INSERT INTO drift.results (monitor_id, monitor, run_at, scheduled_for, window_start,
                               window_end, metric, threshold, state, error)
    VALUES (m.monitor_id, m.name, now(), scheduled_for, window_start, window_end,
            m.metric, m.threshold, 'error', error)
    RETURNING *)
  SELECT ARRAY[ins::drift.results],
         ARRAY[jsonb_build_object('result_id', ins.result_id, 'state', 'error',
                                  'slice', ins.slice, 'error', ins.error)]
    FROM ins
$fn$;
COMMENT ON FUNCTION drift._record_error(drift.monitors, timestamptz, timestamptz, timestamptz,
                                        text) IS
  'Write the error result of a failed run; returns it and the alert to send';

-- Alerts: every one is written to drift.alerts, with the monitor's fields
-- around the result's own (drift._record_slices, drift._record_error).
-- NOTIFY sends the first 20 of a run one by one and a summary of the rest,
-- so that a run with thousands of breaching slices neither floods the queue
-- nor exceeds it.
CREATE FUNCTION drift._emit_alerts(m drift.monitors, relation text, window_start timestamptz,
                                   window_end timestamptz, alerts jsonb[]) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  cap       constant integer := 20;
  alert_ids bigint[] := '{}';
  aid       bigint;
  a         jsonb;
BEGIN
  FOR i IN 1 .. coalesce(cardinality(alerts), 0) LOOP
    aid := nextval('drift.alerts_alert_id_seq');
    a := drift._fit_payload(jsonb_build_object(
           'alert_id', aid, 'monitor_id', m.monitor_id, 'monitor', m.name,
           'relation', relation, 'column', m.column_name,
           'label_column', m.label_column, 'metric', m.metric, 'baseline', m.baseline,
           'compare_to', m.compare_to, 'threshold', m.threshold,
           'lower_bound', m.lower_bound, 'upper_bound', m.upper_bound,
           'min_effect', m.min_effect, 'window_start', window_start, 'window_end', window_end,
           'run_at', now()) || alerts[i]);
    INSERT INTO drift.alerts (alert_id, monitor_id, result_id, channel, payload)
    VALUES (aid, m.monitor_id, (alerts[i]->>'result_id')::bigint, m.channel, a);
    alert_ids := alert_ids || aid;
    IF i <= cap THEN
      PERFORM pg_notify(m.channel, a::text);
    END IF;
  END LOOP;
  IF cardinality(alerts) > cap THEN
    PERFORM pg_notify(m.channel, jsonb_build_object(
      'state', 'summary', 'monitor_id', m.monitor_id, 'monitor', m.name,
      'alerts', cardinality(alerts), 'notified', cap,
      'first_omitted_alert_id', alert_ids[cap + 1],
      'last_omitted_alert_id', alert_ids[cardinality(alert_ids)],
      'hint', 'the omitted alerts are in drift.alerts')::text);
  END IF;
END
$fn$;
COMMENT ON FUNCTION drift._emit_alerts(drift.monitors, text, timestamptz, timestamptz, jsonb[]) IS
  'Write a run''s alerts to drift.alerts and NOTIFY them (the first 20, then a summary)';

-- Run one monitor now.  Callers have authorized the run (drift.run_monitor,
-- drift.run_due_monitors) or are the worker; the check's query runs as the
-- owner (drift._collect_slices).  With scheduled => true the run happens
-- only if the monitor is still due (another run may have taken it).  The
-- check's own failures are recorded as an 'error' result, not raised.
CREATE FUNCTION drift._run_monitor(p_id bigint, p_as_of timestamptz DEFAULT NULL,
                                   p_scheduled boolean DEFAULT false)
  RETURNS SETOF drift.results
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m   drift.monitors := drift._lock_monitor(p_id, p_scheduled);
  due boolean;
  w   record;
  c   record;
  r   record;
BEGIN
  IF m.monitor_id IS NULL THEN
    RETURN;
  END IF;
  -- a run that never came back (its backend was terminated for ignoring
  -- the timeout, or crashed) is recorded before anything else
  IF drift._take_lost_run(p_id) THEN
    PERFORM drift._record_failure(p_id, format(
      'a run of monitor "%s" did not finish: its session ended during the check '
      '(terminated after ignoring pg_drift.monitor_timeout, or a crash)', m.name));
    m := drift._lock_monitor(p_id, false);
  END IF;
  due := m.next_run <= now() AND NOT m.paused;
  IF p_scheduled AND NOT due THEN
    RETURN;
  END IF;

  w := drift._run_window(m, p_as_of);
  IF m.label_horizon IS NOT NULL THEN
    -- earlier windows whose labels changed are judged again first (74_label_join.sql)
    m := drift._rejudge_windows(m, w.window_start, coalesce(p_as_of, now()));
  END IF;
  c := drift._collect_slices(m, w.window_start, w.window_end, w.prev_start);
  IF c.error IS NULL AND m.label_relation_oid IS NOT NULL THEN
    c.error := drift._label_conflicts(m, c.vals);
  END IF;
  IF c.error IS NOT NULL THEN
    r := drift._record_error(m, CASE WHEN due THEN m.next_run END, w.window_start,
                             w.window_end, c.error);
    PERFORM drift._finish_run(m, due, 'error', m.slice_state);
  ELSE
    r := drift._record_slices(m, (SELECT x.comparison FROM drift.metrics x WHERE x.name = m.metric),
                              CASE WHEN due THEN m.next_run END, w.window_start, w.window_end,
                              c.slices, c.nrows, c.vals);
    IF m.metric = 'dataset_drift' THEN
      PERFORM drift._record_model_columns(r.results, c.vals);
    END IF;
    -- label coverage: of joined labels, or of a model's own (75_model_quality.sql)
    IF m.label_relation_oid IS NOT NULL OR m.metric = 'dataset_drift' THEN
      r.results := drift._note_labels(r.results, c.vals);
    END IF;
    PERFORM drift._finish_run(m, due, r.state, r.slice_state);
  END IF;
  PERFORM drift._emit_alerts(m, coalesce(c.relation::text, m.relation_name), w.window_start,
                             w.window_end, r.alerts);
  RETURN QUERY SELECT * FROM unnest(r.results);
END
$fn$;
COMMENT ON FUNCTION drift._run_monitor(bigint, timestamptz, boolean) IS
  'Run one monitor: lock, take a lost run, window, check as the owner, record results, '
  'update the monitor, write and notify alerts';

CREATE FUNCTION drift._api_run_monitor(caller oid, name text, as_of timestamptz)
  RETURNS SETOF drift.results
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m drift.monitors := drift._get_monitor(caller, _api_run_monitor.name);
BEGIN
  -- the check runs as the owner: the caller must be able to act as it
  IF NOT pg_has_role(caller, m.owner, 'MEMBER') THEN
    RAISE EXCEPTION 'permission denied to run monitor "%" owned by role "%"', m.name, m.owner
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'A monitor runs with its owner''s privileges.';
  END IF;
  RETURN QUERY SELECT * FROM drift._run_monitor(m.monitor_id, _api_run_monitor.as_of, false);
END
$fn$;
COMMENT ON FUNCTION drift._api_run_monitor(oid, text, timestamptz) IS
  'drift.run_monitor for the calling role (reached only through it: src/worker/api_call.c)';
CREATE FUNCTION drift.run_monitor(name text, as_of timestamptz DEFAULT NULL)
  RETURNS SETOF drift.results
  AS 'MODULE_PATHNAME', 'drift_api_call' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION drift.run_monitor(text, timestamptz) IS
  'Run a monitor now (the window ends at as_of, default now()), exactly as the scheduler '
  'would; returns the results written';

-- Remove results and alerts older than pg_drift.result_retention.
-- Only the history of monitors the caller may see, as before the API ran
-- as the extension owner.
CREATE FUNCTION drift._api_prune_results(caller oid) RETURNS bigint
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  keep interval := drift._setting('result_retention', '30 days')::interval;
  n    bigint;
BEGIN
  IF keep <= interval '0' THEN
    RETURN 0;
  END IF;
  DELETE FROM drift.results r USING drift.monitors m
   WHERE r.run_at < now() - keep AND m.monitor_id = r.monitor_id
     AND drift._may_see(caller, m.owner);
  GET DIAGNOSTICS n = ROW_COUNT;
  DELETE FROM drift.alerts a USING drift.monitors m
   WHERE a.created_at < now() - keep AND m.monitor_id = a.monitor_id
     AND drift._may_see(caller, m.owner);
  RETURN n;
END
$fn$;
COMMENT ON FUNCTION drift._api_prune_results(oid) IS
  'drift.prune_results for the calling role (reached only through it: src/worker/api_call.c)';
CREATE FUNCTION drift.prune_results() RETURNS bigint
  AS 'MODULE_PATHNAME', 'drift_api_call' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION drift.prune_results() IS
  'Delete results and alerts older than pg_drift.result_retention (0 keeps everything); '
  'returns the number of results removed';

-- For users who schedule with pg_cron (or anything else) instead of the
-- background worker.  Each monitor runs in its own subtransaction; monitors
-- whose owner the caller may not act as are left to their owner.
CREATE FUNCTION drift._api_run_due_monitors(caller oid) RETURNS integer
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  id bigint;
  n  integer := 0;
BEGIN
  PERFORM drift._api_prune_results(caller);
  FOR id IN SELECT x.monitor_id FROM drift.monitors x
             WHERE NOT x.paused AND x.next_run <= now()
               AND pg_has_role(caller, x.owner, 'MEMBER')
             ORDER BY x.next_run, x.monitor_id LOOP
    BEGIN
      PERFORM drift._run_monitor(id, NULL, true);
      n := n + 1;
    EXCEPTION WHEN OTHERS THEN
      RAISE WARNING 'monitor % failed: %', id, SQLERRM;
    END;
  END LOOP;
  RETURN n;
END
$fn$;
COMMENT ON FUNCTION drift._api_run_due_monitors(oid) IS
  'drift.run_due_monitors for the calling role (reached only through it: src/worker/api_call.c)';
CREATE FUNCTION drift.run_due_monitors() RETURNS integer
  AS 'MODULE_PATHNAME', 'drift_api_call' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION drift.run_due_monitors() IS
  'Run every due monitor the caller may run (for pg_cron and other external schedulers); '
  'returns how many ran';

-- Record a failure the check itself could not record (the worker calls this
-- in a fresh transaction after an error escaped drift._run_monitor, and
-- drift._run_monitor for a run that never came back): an error result and
-- its alert, and the back-off, as for a failed check.
CREATE FUNCTION drift._record_failure(p_id bigint, p_error text) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m drift.monitors := drift._lock_monitor(p_id, true);
  r record;
BEGIN
  IF m.monitor_id IS NULL THEN
    RETURN;
  END IF;
  r := drift._record_error(m, m.next_run, NULL, NULL, p_error);
  PERFORM drift._finish_run(m, true, 'error', m.slice_state);
  PERFORM drift._emit_alerts(m, m.relation_name, NULL, NULL, r.alerts);
END
$fn$;
COMMENT ON FUNCTION drift._record_failure(bigint, text) IS
  'Record an error result and alert for a run that failed outside the check itself';

-- drift.monitor_status, each monitor's state and last result, is defined in
-- 74_label_join.sql (it shows the label coverage added there).

-- A new database with the extension is served at once, not after
-- pg_drift.database_check_interval.
SELECT drift._wake_scheduler();
