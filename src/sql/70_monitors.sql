-- ---------------------------------------------------------------------------
-- Monitors: catalog tables, the metric registry, and the management API
-- ---------------------------------------------------------------------------
--
-- A monitor is a check that runs on a schedule (src/worker/scheduler.c) or on demand
-- (drift.run_monitor, drift.run_due_monitors); each run writes drift.results
-- rows and, on a state change worth telling someone about, drift.alerts rows
-- and a NOTIFY.  The code that runs a check is in 71_monitor_run.sql.

-- The metric registry: how each metric a monitor may name turns into SQL.
-- Metrics that land later plug in with one row.  Templates are SQL expressions
-- in which these tokens are replaced when the check is built:
--   {value}    the monitored column, quoted (t."col")
--   {value2}   the second column (label_column: actual label, or target)
--   {baseline} $3, the baseline's name;  {column} $4, the baseline column
--   {profile}  $5, the previous window's profile (compare_to previous_window)
-- An expression yields either a drift_result-shaped composite (statistic,
-- p_value, n_baseline, n_current) or a plain number (the statistic).
CREATE TABLE drift.metrics (
  name               text PRIMARY KEY,
  kind               text NOT NULL CHECK (kind IN ('drift', 'integrity', 'model')),
  function_name      text NOT NULL,
  column_kind        text NOT NULL CHECK (column_kind IN ('numeric', 'categorical', 'boolean')),
  expression         text NOT NULL,
  profile_expression text,
  profile_source     text,
  needs_baseline     boolean NOT NULL,
  needs_label        boolean NOT NULL DEFAULT false,
  label_kind         text CHECK (label_kind IN ('numeric', 'categorical', 'boolean')),
  comparison         text NOT NULL CHECK (comparison IN ('p_value', 'above', 'bounds', 'at_least')),
  default_threshold  float8,
  description        text NOT NULL
);
COMMENT ON TABLE drift.metrics IS
  'Registry of metrics a monitor can run: the SQL expression for each, how a breach is '
  'judged (p_value below threshold, statistic above threshold, or outside bounds)';
GRANT SELECT ON drift.metrics TO PUBLIC;

INSERT INTO drift.metrics (name, kind, function_name, column_kind, expression,
                           profile_expression, profile_source, needs_baseline, needs_label,
                           comparison, default_threshold, description) VALUES
  ('ks', 'drift', 'ks_drift', 'numeric',
   '@extschema@.ks_drift({value}::float8, {baseline}, {column})',
   '@extschema@.ks_drift({value}::float8, {profile})',
   '@extschema@.drift_profile_agg({value}::float8)', true, false, 'p_value', 0.05,
   'Two-sample Kolmogorov-Smirnov test; breach when p_value < threshold'),
  ('psi', 'drift', 'psi_drift', 'numeric',
   '@extschema@.psi_drift({value}::float8, {baseline}, {column})',
   '@extschema@.psi_drift({value}::float8, {profile})',
   '@extschema@.drift_profile_agg({value}::float8)', true, false, 'above', 0.2,
   'Population stability index; breach when statistic > threshold'),
  ('js', 'drift', 'js_drift', 'numeric',
   '@extschema@.js_drift({value}::float8, {baseline}, {column})',
   '@extschema@.js_drift({value}::float8, {profile})',
   '@extschema@.drift_profile_agg({value}::float8)', true, false, 'above', 0.1,
   'Jensen-Shannon distance; breach when statistic > threshold'),
  ('hellinger', 'drift', 'hellinger_drift', 'numeric',
   '@extschema@.hellinger_drift({value}::float8, {baseline}, {column})',
   '@extschema@.hellinger_drift({value}::float8, {profile})',
   '@extschema@.drift_profile_agg({value}::float8)', true, false, 'above', 0.1,
   'Hellinger distance; breach when statistic > threshold'),
  ('kl', 'drift', 'kl_drift', 'numeric',
   '@extschema@.kl_drift({value}::float8, {baseline}, {column})',
   '@extschema@.kl_drift({value}::float8, {profile})',
   '@extschema@.drift_profile_agg({value}::float8)', true, false, 'above', 0.1,
   'Kullback-Leibler divergence; breach when statistic > threshold'),
  ('wasserstein', 'drift', 'wasserstein_drift', 'numeric',
   '@extschema@.wasserstein_drift({value}::float8, {baseline}, {column})',
   '@extschema@.wasserstein_drift({value}::float8, {profile})',
   '@extschema@.drift_profile_agg({value}::float8)', true, false, 'above', NULL,
   'Wasserstein-1 distance (in the column''s units); breach when statistic > threshold'),
  ('zscore', 'drift', 'zscore_drift', 'numeric',
   '@extschema@.zscore_drift({value}::float8, {baseline}, {column})',
   '@extschema@.zscore_drift({value}::float8, {profile})',
   '@extschema@.drift_profile_agg({value}::float8)', true, false, 'p_value', 0.05,
   'Mean-shift z-test; breach when p_value < threshold'),
  ('chi2', 'drift', 'chi2_drift', 'categorical',
   '@extschema@.chi2_drift({value}::text, {baseline}, {column})',
   '@extschema@.chi2_drift({value}::text, {profile})',
   '@extschema@.drift_profile_agg({value}::text)', true, false, 'p_value', 0.05,
   'Chi-square test of category counts; breach when p_value < threshold'),
  ('tvd', 'drift', 'tvd_drift', 'categorical',
   '@extschema@.tvd_drift({value}::text, {baseline}, {column})',
   '@extschema@.tvd_drift({value}::text, {profile})',
   '@extschema@.drift_profile_agg({value}::text)', true, false, 'above', 0.1,
   'Total variation distance of category shares; breach when statistic > threshold'),
  ('linf', 'drift', 'linf_drift', 'categorical',
   '@extschema@.linf_drift({value}::text, {baseline}, {column})',
   '@extschema@.linf_drift({value}::text, {profile})',
   '@extschema@.drift_profile_agg({value}::text)', true, false, 'above', 0.1,
   'L-infinity distance of category shares; breach when statistic > threshold'),
  ('null_rate', 'integrity', 'null_rate_drift', 'numeric',
   '@extschema@.null_rate_drift({value}::float8, {baseline}, {column})',
   NULL, NULL, true, false, 'p_value', 0.05,
   'Change of the NULL rate against the baseline; breach when p_value < threshold'),
  ('out_of_range', 'integrity', 'out_of_range_share', 'numeric',
   '@extschema@.out_of_range_share({value}::float8, {baseline}, {column})',
   NULL, NULL, true, false, 'above', 0.01,
   'Share of values outside the baseline''s [min, max]; breach when statistic > threshold'),
  ('unseen_categories', 'integrity', 'unseen_category_share', 'categorical',
   '@extschema@.unseen_category_share({value}::text, {baseline}, {column})',
   NULL, NULL, true, false, 'above', 0.01,
   'Share of categories the baseline never saw; breach when statistic > threshold'),
  ('corr', 'drift', 'corr_drift', 'numeric',
   '@extschema@.corr_drift({value}::float8, {value2}::float8, {baseline}, {column})',
   NULL, NULL, true, true, 'p_value', 0.05,
   'Change of the feature''s correlation with the target (Fisher z); breach when p_value < threshold'),
  ('accuracy', 'model', 'binary_metrics', 'boolean',
   '(@extschema@.binary_metrics({value}::boolean, {value2}::boolean)).accuracy',
   NULL, NULL, false, true, 'bounds', NULL, 'Binary accuracy; breach outside [lower_bound, upper_bound]'),
  ('precision', 'model', 'binary_metrics', 'boolean',
   '(@extschema@.binary_metrics({value}::boolean, {value2}::boolean)).precision',
   NULL, NULL, false, true, 'bounds', NULL, 'Binary precision; breach outside [lower_bound, upper_bound]'),
  ('recall', 'model', 'binary_metrics', 'boolean',
   '(@extschema@.binary_metrics({value}::boolean, {value2}::boolean)).recall',
   NULL, NULL, false, true, 'bounds', NULL, 'Binary recall; breach outside [lower_bound, upper_bound]'),
  ('f1', 'model', 'binary_metrics', 'boolean',
   '(@extschema@.binary_metrics({value}::boolean, {value2}::boolean)).f1',
   NULL, NULL, false, true, 'bounds', NULL, 'Binary F1 score; breach outside [lower_bound, upper_bound]'),
  ('mse', 'model', 'regression_metrics', 'numeric',
   '(@extschema@.regression_metrics({value}::float8, {value2}::float8)).mse',
   NULL, NULL, false, true, 'bounds', NULL, 'Mean squared error; breach outside [lower_bound, upper_bound]'),
  ('mae', 'model', 'regression_metrics', 'numeric',
   '(@extschema@.regression_metrics({value}::float8, {value2}::float8)).mae',
   NULL, NULL, false, true, 'bounds', NULL, 'Mean absolute error; breach outside [lower_bound, upper_bound]'),
  ('r2', 'model', 'regression_metrics', 'numeric',
   '(@extschema@.regression_metrics({value}::float8, {value2}::float8)).r2',
   NULL, NULL, false, true, 'bounds', NULL, 'Coefficient of determination; breach outside [lower_bound, upper_bound]'),
  ('roc_auc', 'model', 'roc_auc', 'numeric',
   '@extschema@.roc_auc({value}::float8, {value2}::boolean)',
   NULL, NULL, false, true, 'bounds', NULL, 'Area under the ROC curve; breach outside [lower_bound, upper_bound]'),
  ('log_loss', 'model', 'log_loss', 'numeric',
   '@extschema@.log_loss({value}::float8, {value2}::boolean)',
   NULL, NULL, false, true, 'bounds', NULL, 'Logarithmic loss; breach outside [lower_bound, upper_bound]'),
  ('brier', 'model', 'brier_score', 'numeric',
   '@extschema@.brier_score({value}::float8, {value2}::boolean)',
   NULL, NULL, false, true, 'bounds', NULL, 'Brier score; breach outside [lower_bound, upper_bound]');
UPDATE drift.metrics SET label_kind = CASE WHEN name IN ('mse', 'mae', 'r2', 'corr')
                                          THEN 'numeric' ELSE 'boolean' END
 WHERE needs_label;

-- The monitors themselves.  relation_oid follows renames; relation_name is
-- kept so that a dump restored with new OIDs can be re-resolved by name.
CREATE TABLE drift.monitors (
  monitor_id           bigserial PRIMARY KEY,
  name                 text NOT NULL,
  owner                name NOT NULL DEFAULT current_user,
  relation_oid         oid NOT NULL,
  relation_name        text NOT NULL,
  metric               text NOT NULL REFERENCES drift.metrics (name),
  column_name          text NOT NULL,
  label_column         text,
  baseline             text,
  threshold            float8,
  lower_bound          float8,
  upper_bound          float8,
  min_effect           float8,
  time_column          text,
  window_size          interval,
  schedule             interval NOT NULL CHECK (schedule >= interval '1 second'),
  filter               text,
  slice_by             text[],
  min_rows             bigint NOT NULL DEFAULT 1 CHECK (min_rows >= 1),
  -- NOTIFY takes channel names shorter than NAMEDATALEN (64) bytes
  channel              text NOT NULL DEFAULT 'pg_drift'
                         CHECK (channel <> '' AND pg_catalog.octet_length(channel) < 64),
  compare_to           text NOT NULL DEFAULT 'baseline'
                         CHECK (compare_to IN ('baseline', 'previous_window')),
  fire_after           integer NOT NULL DEFAULT 1 CHECK (fire_after >= 1),
  max_retries          integer NOT NULL DEFAULT 3 CHECK (max_retries >= 0),
  paused               boolean NOT NULL DEFAULT false,
  next_run             timestamptz NOT NULL DEFAULT pg_catalog.now(),
  last_run             timestamptz,
  consecutive_failures integer NOT NULL DEFAULT 0,
  state                text NOT NULL DEFAULT 'new',
  slice_state          jsonb NOT NULL DEFAULT '{}',
  created_at           timestamptz NOT NULL DEFAULT pg_catalog.now(),
  CHECK ((time_column IS NULL) = (window_size IS NULL)),
  CHECK (window_size IS NULL OR window_size > interval '0'),
  -- names are per owner: a global name would reveal (and block) another
  -- role's hidden monitor through the duplicate-key error
  UNIQUE (owner, name)
);
CREATE INDEX monitors_due ON drift.monitors (next_run) WHERE NOT paused;
COMMENT ON TABLE drift.monitors IS
  'Scheduled checks (drift.create_monitor): what to compute over which rows, how often, '
  'when to alert, and each monitor''s current state per slice';
COMMENT ON SEQUENCE drift.monitors_monitor_id_seq IS
  'Numbers the rows of drift.monitors (column monitor_id)';

CREATE TABLE drift.results (
  result_id     bigserial PRIMARY KEY,
  monitor_id    bigint NOT NULL REFERENCES drift.monitors ON DELETE CASCADE,
  monitor       text NOT NULL,
  run_at        timestamptz NOT NULL,
  scheduled_for timestamptz,
  window_start  timestamptz,
  window_end    timestamptz,
  slice         jsonb NOT NULL DEFAULT '{}',
  metric        text NOT NULL,
  statistic     float8,
  p_value       float8,
  threshold     float8,
  n_baseline    bigint,
  n_current     bigint,
  state         text NOT NULL CHECK (state IN ('ok', 'firing', 'pending', 'resolved',
                                               'error', 'insufficient_data')),
  error         text
);
CREATE INDEX results_by_monitor ON drift.results (monitor_id, run_at);
CREATE INDEX results_by_time ON drift.results (run_at);
COMMENT ON TABLE drift.results IS
  'History: one row per monitor run and slice, kept for pg_drift.result_retention';
COMMENT ON SEQUENCE drift.results_result_id_seq IS
  'Numbers the rows of drift.results (column result_id)';

CREATE TABLE drift.alerts (
  alert_id   bigserial PRIMARY KEY,
  monitor_id bigint NOT NULL REFERENCES drift.monitors ON DELETE CASCADE,
  result_id  bigint,
  channel    text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
  payload    jsonb NOT NULL,
  -- the writing transaction: alert ids are not in commit order (runs commit
  -- in any order), so a listener catching up also reads the alerts of
  -- transactions that were still running when it last looked
  xact_id    xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id()
);
CREATE INDEX alerts_by_channel ON drift.alerts (channel, alert_id);
CREATE INDEX alerts_by_xact ON drift.alerts (channel, xact_id);
COMMENT ON TABLE drift.alerts IS
  'Every alert also sent with NOTIFY, written in the same transaction, so that a listener '
  'that was down catches up (pg_drift_listen --since-id, --state-file)';
COMMENT ON SEQUENCE drift.alerts_alert_id_seq IS
  'Numbers the rows of drift.alerts (column alert_id)';

-- pg_dump keeps the monitors and their history.
SELECT pg_catalog.pg_extension_config_dump('drift.monitors', '');
SELECT pg_catalog.pg_extension_config_dump('drift.monitors_monitor_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('drift.results', '');
SELECT pg_catalog.pg_extension_config_dump('drift.results_result_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('drift.alerts', '');
SELECT pg_catalog.pg_extension_config_dump('drift.alerts_alert_id_seq', '');

-- Row-level security: a role sees its own monitors and their history; members
-- of drift_admin (and superusers) see everyone's.  Results and alerts can be
-- written only for a monitor whose owner the writer may act as, naming that
-- monitor, so nobody can forge another role's alerts.
ALTER TABLE drift.monitors ENABLE ROW LEVEL SECURITY;
ALTER TABLE drift.results ENABLE ROW LEVEL SECURITY;
ALTER TABLE drift.alerts ENABLE ROW LEVEL SECURITY;
CREATE POLICY monitors_by_owner ON drift.monitors
  USING (owner OPERATOR(pg_catalog.=) current_user
         OR pg_catalog.pg_has_role(current_user, 'drift_admin', 'MEMBER'))
  WITH CHECK (owner OPERATOR(pg_catalog.=) current_user
              OR pg_catalog.pg_has_role(current_user, 'drift_admin', 'MEMBER'));
CREATE POLICY results_read ON drift.results FOR SELECT
  USING (EXISTS (SELECT 1 FROM drift.monitors m
                  WHERE m.monitor_id OPERATOR(pg_catalog.=) results.monitor_id));
CREATE POLICY results_delete ON drift.results FOR DELETE
  USING (EXISTS (SELECT 1 FROM drift.monitors m
                  WHERE m.monitor_id OPERATOR(pg_catalog.=) results.monitor_id));
CREATE POLICY alerts_read ON drift.alerts FOR SELECT
  USING (EXISTS (SELECT 1 FROM drift.monitors m
                  WHERE m.monitor_id OPERATOR(pg_catalog.=) alerts.monitor_id));
CREATE POLICY alerts_delete ON drift.alerts FOR DELETE
  USING (EXISTS (SELECT 1 FROM drift.monitors m
                  WHERE m.monitor_id OPERATOR(pg_catalog.=) alerts.monitor_id));
-- Roles read their rows and may delete them (drop_monitor, their history),
-- but write monitors, results and alerts only through the API
-- (src/worker/api_call.c), which writes as the extension's owner; there are
-- no INSERT policies, as no role under row-level security inserts.  A row
-- written directly would skip the validation that
-- runs the owner's filter as the owner, and could set state, failure
-- counters, next_run or owner at will.
GRANT SELECT, DELETE ON drift.monitors, drift.results, drift.alerts TO PUBLIC;
REVOKE USAGE ON SEQUENCE drift.monitors_monitor_id_seq, drift.results_result_id_seq,
                         drift.alerts_alert_id_seq FROM PUBLIC;

-- Settings read by SQL code: the GUC when the library has defined it, else
-- the documented default (the library is loaded by any C function call).
CREATE FUNCTION drift._setting(setting text, fallback text) RETURNS text
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT coalesce(nullif(current_setting('pg_drift.' || setting, true), ''), fallback)
$fn$;
COMMENT ON FUNCTION drift._setting(text, text) IS
  'A pg_drift setting, or its default when the library is not loaded yet';

-- Wake the background scheduler of this database (no-op without the preload).
CREATE FUNCTION drift._wake_scheduler() RETURNS void
  AS 'MODULE_PATHNAME', 'drift_wake_scheduler' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION drift._wake_scheduler() IS
  'Tell the background worker that a monitor changed, so it re-reads the schedule now';

-- Run a monitor's query as its owner under pg_drift.monitor_timeout, or only
-- plan it (validation); see owner_query.c.  monitor_id NULL: not a run.
CREATE FUNCTION drift._run_check(monitor_id bigint, owner name, query text, plan_only boolean,
                                 window_start timestamptz, window_end timestamptz,
                                 baseline text, column_name text, previous_start timestamptz,
                                 OUT slice jsonb, OUT n_rows bigint, OUT r jsonb)
  RETURNS SETOF record
  AS 'MODULE_PATHNAME', 'drift_run_check' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION drift._run_check(bigint, name, text, boolean, timestamptz, timestamptz, text,
                                     text, timestamptz) IS
  'Run (or with plan_only, EXPLAIN) a monitor query as its owner, restricted, with '
  'search_path pinned and pg_drift.monitor_timeout enforced';

-- Whether a run of the monitor began and its backend never came back.
CREATE FUNCTION drift._take_lost_run(monitor_id bigint) RETURNS boolean
  AS 'MODULE_PATHNAME', 'drift_take_lost_run' LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION drift._take_lost_run(bigint) IS
  'True once for a run of the monitor that never finished (terminated after ignoring the '
  'timeout, or a crash); cleared when the transaction recording it commits';
