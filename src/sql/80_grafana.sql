-- ---------------------------------------------------------------------------
-- Grafana: views in the shape of Grafana's PostgreSQL data source
-- ---------------------------------------------------------------------------
--
-- Grafana's PostgreSQL data source plots a query's `time` column against its
-- numeric columns, names series by its text columns, and reads annotations
-- from `time`, `timeend`, `text` and `tags`.  These views give drift.results,
-- drift.alerts and drift.monitor_status that shape, so that a dashboard
-- (examples/grafana/pg_drift.json) needs no SQL of its own beyond a filter.
--
-- Every view is security_invoker: the row-level security of drift.monitors,
-- drift.results and drift.alerts is applied as the role Grafana connects
-- with, which sees only its own monitors (all of them as a drift_admin
-- member).  A plain view would apply it as the view's owner, the extension's
-- owner, and show everyone's rows.
--
-- A result is placed at the end of the window it judged (window_end), not at
-- the moment it ran: a run that catches up on a late window, or a backfill
-- with drift.run_monitor(..., as_of => ...), draws where the data was.

-- A slice as one label: "country=DE, device=ios", or "all" when unsliced.
-- Public (not drift._*): the views call it with the invoker's rights.
CREATE FUNCTION drift.slice_label(slice jsonb) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT coalesce((SELECT string_agg(e.key || '=' || coalesce(e.value #>> '{}', 'NULL'), ', '
                                     ORDER BY e.key)
                     FROM jsonb_each(slice) e), 'all')
$fn$;
COMMENT ON FUNCTION drift.slice_label(jsonb) IS
  'A result''s slice as one text label, key=value pairs in key order ("all" when unsliced)';

CREATE VIEW drift.grafana_results AS
  SELECT coalesce(r.window_end, r.run_at) AS "time",
         r.monitor, m.owner, m.column_name AS "column", drift.slice_label(r.slice) AS slice,
         r.metric, r.state, r.statistic, r.p_value, r.threshold,
         m.lower_bound, m.upper_bound, r.n_baseline, r.n_current,
         r.window_start, r.window_end, r.run_at, r.error, r.result_id, r.monitor_id
    FROM drift.results r
    JOIN drift.monitors m ON m.monitor_id OPERATOR(pg_catalog.=) r.monitor_id;
ALTER VIEW drift.grafana_results SET (security_invoker = true);
GRANT SELECT ON drift.grafana_results TO PUBLIC;
COMMENT ON VIEW drift.grafana_results IS
  'drift.results for Grafana: time (window end, else run time), values statistic, p_value, '
  'threshold; labels monitor, column, slice, metric, state; only the caller''s monitors';

-- An alert's time is the end of the window it is about (as in
-- grafana_results); a firing alert ends (timeend) at the first later
-- resolved or error alert of the same monitor and slice, so Grafana draws
-- the whole episode as a region.
-- Finding a firing alert's end reads the later alerts of its monitor; so do
-- the report's alert marks (and the cascade when a monitor is dropped).
CREATE INDEX alerts_by_monitor ON drift.alerts (monitor_id, alert_id);
COMMENT ON INDEX drift.alerts_by_monitor IS
  'A monitor''s alerts in order: the end of a firing episode (drift.grafana_alerts), drop_monitor';

CREATE VIEW drift.grafana_alerts AS
  SELECT a."time", e."time" AS timeend,
         a.monitor || ' ' || a.state || ': ' || coalesce(a.metric, '') || ' on '
           || coalesce(a."column", '?') || ' (' || a.slice || ')'
           || coalesce(', statistic ' || (a.payload ->> 'statistic'), '')
           || coalesce(', p-value ' || (a.payload ->> 'p_value'), '')
           || coalesce(', threshold ' || (a.payload ->> 'threshold'), '')
           || coalesce(', error: ' || (a.payload ->> 'error'), '') AS text,
         ARRAY['pg_drift', a.state, a.monitor, a.metric, a."column"]
           OPERATOR(pg_catalog.||) CASE WHEN a.slice OPERATOR(pg_catalog.<>) 'all'
                                        THEN ARRAY[a.slice] ELSE '{}'::text[] END AS tags,
         a.monitor, a.state, a.metric, a."column", a.slice, a.alert_id, a.result_id,
         a.monitor_id, a.created_at, a.payload
    FROM (SELECT x.*,
                 coalesce((x.payload ->> 'window_end')::timestamptz, x.created_at) AS "time",
                 coalesce(x.payload ->> 'monitor', m.name) AS monitor,
                 x.payload ->> 'state' AS state,
                 coalesce(x.payload ->> 'metric', m.metric) AS metric,
                 coalesce(x.payload ->> 'column', m.column_name) AS "column",
                 drift.slice_label(coalesce(x.payload -> 'slice', '{}')) AS slice
            FROM drift.alerts x
            JOIN drift.monitors m ON m.monitor_id OPERATOR(pg_catalog.=) x.monitor_id) a
    LEFT JOIN LATERAL (
      SELECT coalesce((y.payload ->> 'window_end')::timestamptz, y.created_at) AS "time"
        FROM drift.alerts y
       WHERE a.state OPERATOR(pg_catalog.=) 'firing'
         AND y.monitor_id OPERATOR(pg_catalog.=) a.monitor_id
         AND y.alert_id OPERATOR(pg_catalog.>) a.alert_id
         AND y.payload ->> 'state' OPERATOR(pg_catalog.=) ANY (ARRAY['resolved', 'error'])
         AND drift.slice_label(coalesce(y.payload -> 'slice', '{}')) OPERATOR(pg_catalog.=) a.slice
       ORDER BY y.alert_id
       LIMIT 1) e ON true;
ALTER VIEW drift.grafana_alerts SET (security_invoker = true);
GRANT SELECT ON drift.grafana_alerts TO PUBLIC;
COMMENT ON VIEW drift.grafana_alerts IS
  'drift.alerts as Grafana annotations: time, timeend (a firing alert''s episode ends at the '
  'next resolved or error alert of its slice), text, tags; only the caller''s monitors';

CREATE VIEW drift.grafana_status AS
  SELECT s.name AS monitor, s.owner, s.column_name AS "column", s.metric, s.state, s.paused,
         s.last_run, s.next_run, s.last_statistic, s.last_p_value, m.threshold,
         m.lower_bound, m.upper_bound, s.firing_slices, s.consecutive_failures, s.last_error,
         s.relation, s.monitor_id
    FROM drift.monitor_status s
    JOIN drift.monitors m ON m.monitor_id OPERATOR(pg_catalog.=) s.monitor_id;
ALTER VIEW drift.grafana_status SET (security_invoker = true);
GRANT SELECT ON drift.grafana_status TO PUBLIC;
COMMENT ON VIEW drift.grafana_status IS
  'One row per visible monitor for a Grafana table panel: state, last run and result, '
  'threshold or bounds, firing slices, consecutive failures';
