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

-- The scheduler's last resort when a monitor's failure could not even be
-- recorded (drift._record_failure failed too): count the failure and push
-- the monitor back, writing nothing else, so it cannot be picked again and
-- again in the same pass.  The scheduler logs the failure instead.
CREATE FUNCTION drift._defer_monitor(p_id bigint) RETURNS void
  LANGUAGE sql
  SET search_path = pg_catalog, pg_temp
AS $fn$
  -- NOWAIT: see drift._run_monitor
  SELECT 1 FROM drift.monitors x WHERE x.monitor_id = p_id FOR UPDATE NOWAIT;
  UPDATE drift.monitors x
     SET consecutive_failures = x.consecutive_failures + 1, state = 'error', last_run = now(),
         next_run = now() + drift._retry_delay(x.consecutive_failures + 1, x.max_retries,
                                               x.schedule)
   WHERE x.monitor_id = p_id
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
    SELECT v.i, v.slice, v.key, v.stat, v.pval, v.nbase, v.ncur,
           CASE WHEN v.ncur < m.min_rows OR v.stat IS NULL OR v.stat = 'NaN'
                     OR (comparison = 'p_value' AND v.pval IS NULL) THEN 'insufficient_data'
                WHEN v.breach THEN CASE WHEN v.prev_breaches + 1 >= m.fire_after
                                        THEN 'firing' ELSE 'pending' END
                WHEN v.prev_state = 'firing' THEN 'resolved'
                ELSE 'ok' END AS st,
           CASE WHEN v.breach THEN v.prev_breaches + 1 ELSE 0 END AS breaches
      FROM (SELECT w.*,
                   coalesce((m.slice_state -> w.key ->> 'breaches')::integer, 0) AS prev_breaches,
                   m.slice_state -> w.key ->> 'state' AS prev_state,
                   CASE comparison
                     WHEN 'p_value' THEN w.pval < m.threshold
                                         AND (m.min_effect IS NULL OR w.stat >= m.min_effect)
                     WHEN 'above' THEN w.stat > m.threshold
                     ELSE w.stat < m.lower_bound OR w.stat > m.upper_bound END AS breach
              FROM (SELECT u.i, u.slice, drift._slice_key(u.slice) AS key,
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
                                    ORDER BY ins.result_id), '{}')
            FROM ins WHERE ins.state IN ('firing', 'resolved')),
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

-- Run one monitor now.  Callers have authorized the run (drift.run_monitor,
-- drift.run_due_monitors) or are the worker; the check's query runs as the
-- owner (drift._run_check).  With scheduled => true the run
-- happens only if the monitor is still due (another run may have taken it).
-- The check's own failures are recorded as an 'error' result, not raised.
CREATE FUNCTION drift._run_monitor(p_id bigint, p_as_of timestamptz DEFAULT NULL,
                                   p_scheduled boolean DEFAULT false)
  RETURNS SETOF drift.results
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m          drift.monitors;
  met        drift.metrics;
  t_end      timestamptz;
  t_start    timestamptz;
  t_prev     timestamptz;
  due        boolean;
  err        text;
  rel        oid;
  q          text;
  slices     jsonb[] := '{}';
  nrows      bigint[] := '{}';
  vals       jsonb[] := '{}';
  res        drift.results;
  outs       drift.results[] := '{}';
  alerts     jsonb[] := '{}';
  alert_ids  bigint[] := '{}';
  mstate     text;
  sstate     jsonb;
  i          integer;
  a          jsonb;
  aid        bigint;
  cap        constant integer := 20;
BEGIN
  IF p_scheduled THEN
    -- a scheduler never waits for a monitor someone holds locked (an open
    -- transaction of its owner would stall every other monitor): the run
    -- fails at once with lock_not_available and the pass moves on
    SELECT * INTO m FROM drift.monitors x WHERE x.monitor_id = p_id FOR UPDATE NOWAIT;
  ELSE
    SELECT * INTO m FROM drift.monitors x WHERE x.monitor_id = p_id FOR UPDATE;
  END IF;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  -- a run that never came back (its backend was terminated for ignoring
  -- the timeout, or crashed) is recorded before anything else
  IF drift._take_lost_run(p_id) THEN
    PERFORM drift._record_failure(p_id, format(
      'a run of monitor "%s" did not finish: its session ended during the check '
      '(terminated after ignoring pg_drift.monitor_timeout, or a crash)', m.name));
    SELECT * INTO m FROM drift.monitors x WHERE x.monitor_id = p_id;
  END IF;
  due := m.next_run <= now() AND NOT m.paused;
  IF p_scheduled AND NOT due THEN
    RETURN;
  END IF;
  SELECT * INTO met FROM drift.metrics x WHERE x.name = m.metric;

  t_end := coalesce(p_as_of, now());
  t_start := t_end - m.window_size;
  t_prev := t_start - m.window_size;

  BEGIN
    -- follow the relation by OID; after a restore (new OIDs) by name
    rel := (SELECT c.oid FROM pg_class c WHERE c.oid = m.relation_oid);
    IF rel IS NULL THEN
      rel := to_regclass(m.relation_name);
      IF rel IS NULL THEN
        RAISE EXCEPTION 'relation "%" of monitor "%" no longer exists', m.relation_name, m.name
          USING ERRCODE = 'undefined_table';
      END IF;
      m.relation_oid := rel;
      UPDATE drift.monitors x SET relation_oid = rel WHERE x.monitor_id = m.monitor_id;
    END IF;
    IF NOT has_table_privilege(m.owner, rel, 'SELECT') THEN
      RAISE EXCEPTION 'permission denied: role "%" cannot read %', m.owner, rel::regclass
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_proc p WHERE p.proname = met.function_name
                      AND p.pronamespace = '@extschema@'::regnamespace) THEN
      RAISE EXCEPTION 'metric "%" is not available in this database', m.metric
        USING ERRCODE = 'undefined_function';
    END IF;
    q := drift._monitor_query(m);
    -- array_agg, not appends in a loop: linear in the number of slices
    SELECT coalesce(array_agg(x.slice), '{}'), coalesce(array_agg(x.n_rows), '{}'),
           coalesce(array_agg(x.r), '{}')
      INTO slices, nrows, vals
      FROM drift._run_check(m.monitor_id, m.owner, q, false, t_start, t_end,
                            m.baseline, m.column_name, t_prev) x;
    PERFORM drift._check_slice_count(m, cardinality(slices));
  EXCEPTION
    -- Every failure of the check, the timeout included (its own SQLSTATE,
    -- 57D01), is the check's result.  OTHERS does not match query_canceled
    -- (57014): a cancel the caller asked for, or the caller's own
    -- statement_timeout, ends the statement as usual.
    WHEN OTHERS THEN
      err := SQLERRM;
  END;

  IF err IS NOT NULL THEN
    INSERT INTO drift.results (monitor_id, monitor, run_at, scheduled_for, window_start,
                               window_end, metric, threshold, state, error)
    VALUES (m.monitor_id, m.name, now(), CASE WHEN due THEN m.next_run END,
            CASE WHEN m.window_size IS NOT NULL THEN t_start END,
            CASE WHEN m.window_size IS NOT NULL THEN t_end END,
            m.metric, m.threshold, 'error', err)
    RETURNING * INTO res;
    outs := outs || res;
    alerts := alerts || jsonb_build_object('result_id', res.result_id, 'state', 'error',
                                           'slice', res.slice, 'error', err);
    m.consecutive_failures := m.consecutive_failures + 1;
    mstate := 'error';
    IF due THEN
      m.next_run := now() + drift._retry_delay(m.consecutive_failures, m.max_retries,
                                                m.schedule);
    END IF;
  ELSE
    IF cardinality(slices) = 0 THEN
      -- no row at all in the window: one row saying so
      slices := ARRAY['{}'::jsonb];
      nrows := ARRAY[0::bigint];
      vals := ARRAY['null'::jsonb];
    END IF;
    SELECT j.results, j.alerts, j.state, j.slice_state
      INTO outs, alerts, mstate, sstate
      FROM drift._record_slices(m, met.comparison, CASE WHEN due THEN m.next_run END,
                                CASE WHEN m.window_size IS NOT NULL THEN t_start END,
                                CASE WHEN m.window_size IS NOT NULL THEN t_end END,
                                slices, nrows, vals) j;
    m.slice_state := sstate;
    m.consecutive_failures := 0;
    IF due THEN
      -- next slot after the one just run; after downtime, one run and then
      -- the schedule again (never a catch-up loop)
      m.next_run := m.next_run + m.schedule;
      IF m.next_run <= now() THEN
        m.next_run := now() + m.schedule;
      END IF;
    END IF;
  END IF;

  UPDATE drift.monitors x SET last_run = now(), state = mstate, slice_state = m.slice_state,
                              consecutive_failures = m.consecutive_failures,
                              next_run = m.next_run
   WHERE x.monitor_id = m.monitor_id;

  -- Alerts: every one is written to drift.alerts; NOTIFY sends the first
  -- `cap` of a run one by one and a summary of the rest, so that a run with
  -- thousands of breaching slices neither floods the queue nor exceeds it.
  FOR i IN 1 .. cardinality(alerts) LOOP
    aid := nextval('drift.alerts_alert_id_seq');
    a := drift._fit_payload(jsonb_build_object(
           'alert_id', aid, 'monitor_id', m.monitor_id, 'monitor', m.name,
           'relation', m.relation_oid::regclass::text, 'column', m.column_name,
           'label_column', m.label_column, 'metric', m.metric, 'baseline', m.baseline,
           'compare_to', m.compare_to, 'threshold', m.threshold,
           'lower_bound', m.lower_bound, 'upper_bound', m.upper_bound,
           'min_effect', m.min_effect,
           'window_start', CASE WHEN m.window_size IS NOT NULL THEN t_start END,
           'window_end', CASE WHEN m.window_size IS NOT NULL THEN t_end END,
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

  RETURN QUERY SELECT * FROM unnest(outs);
END
$fn$;
COMMENT ON FUNCTION drift._run_monitor(bigint, timestamptz, boolean) IS
  'Run one monitor: compute every slice, record results, update states, write and notify alerts';

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
  'drift.run_monitor for the calling role (reached only through it: src/api_call.c)';
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
  'drift.prune_results for the calling role (reached only through it: src/api_call.c)';
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
  'drift.run_due_monitors for the calling role (reached only through it: src/api_call.c)';
CREATE FUNCTION drift.run_due_monitors() RETURNS integer
  AS 'MODULE_PATHNAME', 'drift_api_call' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION drift.run_due_monitors() IS
  'Run every due monitor the caller may run (for pg_cron and other external schedulers); '
  'returns how many ran';

-- Record a failure the check itself could not record (the worker calls this
-- in a fresh transaction after an error escaped drift._run_monitor).
CREATE FUNCTION drift._record_failure(p_id bigint, p_error text) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m   drift.monitors;
  rid bigint;
  aid bigint;
  a   jsonb;
BEGIN
  -- NOWAIT: see drift._run_monitor
  SELECT * INTO m FROM drift.monitors x WHERE x.monitor_id = p_id FOR UPDATE NOWAIT;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  INSERT INTO drift.results (monitor_id, monitor, run_at, scheduled_for, metric, threshold,
                             state, error)
  VALUES (m.monitor_id, m.name, now(), m.next_run, m.metric, m.threshold, 'error', p_error)
  RETURNING result_id INTO rid;
  aid := nextval('drift.alerts_alert_id_seq');
  a := drift._fit_payload(jsonb_build_object(
         'alert_id', aid, 'monitor_id', m.monitor_id, 'monitor', m.name,
         'relation', m.relation_name, 'column', m.column_name, 'metric', m.metric,
         'threshold', m.threshold, 'result_id', rid, 'state', 'error', 'slice', '{}'::jsonb,
         'error', p_error, 'run_at', now()));
  INSERT INTO drift.alerts (alert_id, monitor_id, result_id, channel, payload)
  VALUES (aid, m.monitor_id, rid, m.channel, a);
  PERFORM pg_notify(m.channel, a::text);
  UPDATE drift.monitors x
     SET consecutive_failures = x.consecutive_failures + 1, state = 'error', last_run = now(),
         next_run = now() + drift._retry_delay(x.consecutive_failures + 1, x.max_retries,
                                               x.schedule)
   WHERE x.monitor_id = p_id;
END
$fn$;
COMMENT ON FUNCTION drift._record_failure(bigint, text) IS
  'Record an error result and alert for a run that failed outside the check itself';

CREATE VIEW drift.monitor_status AS
  SELECT m.monitor_id, m.name, m.owner, m.relation_name AS relation, m.metric, m.column_name,
         m.state, m.paused, m.last_run, m.next_run, m.consecutive_failures,
         r.result_id AS last_result_id, r.statistic AS last_statistic,
         r.p_value AS last_p_value, r.error AS last_error,
         (SELECT count(*) FROM pg_catalog.jsonb_each(m.slice_state) s
           WHERE s.value OPERATOR(pg_catalog.->>) 'state' OPERATOR(pg_catalog.=) 'firing')
           AS firing_slices
    FROM drift.monitors m
    LEFT JOIN LATERAL (
      SELECT * FROM drift.results r
       WHERE r.monitor_id OPERATOR(pg_catalog.=) m.monitor_id
       ORDER BY r.run_at DESC, r.result_id DESC LIMIT 1) r ON true;
ALTER VIEW drift.monitor_status SET (security_invoker = true);
GRANT SELECT ON drift.monitor_status TO PUBLIC;
COMMENT ON VIEW drift.monitor_status IS
  'Each visible monitor: state, last result, last and next run, consecutive failures';

-- A new database with the extension is served at once, not after
-- pg_drift.database_check_interval.
SELECT drift._wake_scheduler();
