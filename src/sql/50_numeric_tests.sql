-- ---------------------------------------------------------------------------
-- Numeric drift tests: psi_drift, js_drift, hellinger_drift, kl_drift (binned),
-- zscore_drift (mean shift) and wasserstein_drift.  Conventions: SPEC.md
-- section 4 and test/reference/README.md.
-- ---------------------------------------------------------------------------

-- Binned tests.  Every streaming form counts rows per bin of the baseline in
-- a drift_stream_state; the four tests share the transition functions (and,
-- within one query, the state), and differ in the final function only.
-- Positional options of the aggregates: bins int (default 10), binning text
-- ('quantile', the default, or 'uniform'), fill float8 (psi and kl only,
-- default 0.0001).

CREATE FUNCTION binned_drift_named_trans(drift_stream_state, float8, text, text)
  RETURNS drift_stream_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION binned_drift_named_trans(drift_stream_state, float8, text, text, int)
  RETURNS drift_stream_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION binned_drift_named_trans(drift_stream_state, float8, text, text, int, text)
  RETURNS drift_stream_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION binned_drift_named_trans(drift_stream_state, float8, text, text, int, text, float8)
  RETURNS drift_stream_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION binned_drift_profile_trans(drift_stream_state, float8, drift_profile)
  RETURNS drift_stream_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION binned_drift_profile_trans(drift_stream_state, float8, drift_profile, int)
  RETURNS drift_stream_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION binned_drift_profile_trans(drift_stream_state, float8, drift_profile, int, text)
  RETURNS drift_stream_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION binned_drift_profile_trans(drift_stream_state, float8, drift_profile, int, text, float8)
  RETURNS drift_stream_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;

COMMENT ON FUNCTION binned_drift_named_trans(drift_stream_state, float8, text, text) IS
  'Transition function shared by psi_drift, js_drift, hellinger_drift and kl_drift: counts the row in its baseline bin';
COMMENT ON FUNCTION binned_drift_named_trans(drift_stream_state, float8, text, text, int) IS
  'Transition function shared by psi_drift, js_drift, hellinger_drift and kl_drift: counts the row in its baseline bin';
COMMENT ON FUNCTION binned_drift_named_trans(drift_stream_state, float8, text, text, int, text) IS
  'Transition function shared by psi_drift, js_drift, hellinger_drift and kl_drift: counts the row in its baseline bin';
COMMENT ON FUNCTION binned_drift_named_trans(drift_stream_state, float8, text, text, int, text, float8) IS
  'Transition function shared by psi_drift, js_drift, hellinger_drift and kl_drift: counts the row in its baseline bin';
COMMENT ON FUNCTION binned_drift_profile_trans(drift_stream_state, float8, drift_profile) IS
  'Transition function shared by psi_drift, js_drift, hellinger_drift and kl_drift: counts the row in its baseline bin';
COMMENT ON FUNCTION binned_drift_profile_trans(drift_stream_state, float8, drift_profile, int) IS
  'Transition function shared by psi_drift, js_drift, hellinger_drift and kl_drift: counts the row in its baseline bin';
COMMENT ON FUNCTION binned_drift_profile_trans(drift_stream_state, float8, drift_profile, int, text) IS
  'Transition function shared by psi_drift, js_drift, hellinger_drift and kl_drift: counts the row in its baseline bin';
COMMENT ON FUNCTION binned_drift_profile_trans(drift_stream_state, float8, drift_profile, int, text, float8) IS
  'Transition function shared by psi_drift, js_drift, hellinger_drift and kl_drift: counts the row in its baseline bin';

-- psi_drift
CREATE FUNCTION psi_drift_final(drift_stream_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION psi_drift_final(drift_stream_state) IS
  'Final function of the psi_drift aggregates';

CREATE AGGREGATE psi_drift(value float8, baseline text, column_name text) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = psi_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE psi_drift(float8, text, text) IS
  'Population stability index of the rows against a stored baseline column';

CREATE AGGREGATE psi_drift(value float8, baseline text, column_name text, bins int) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = psi_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE psi_drift(float8, text, text, int) IS
  'Population stability index of the rows against a stored baseline column; bins';

CREATE AGGREGATE psi_drift(value float8, baseline text, column_name text, bins int, binning text) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = psi_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE psi_drift(float8, text, text, int, text) IS
  'Population stability index of the rows against a stored baseline column; bins, binning (quantile or uniform)';

CREATE AGGREGATE psi_drift(value float8, baseline text, column_name text, bins int, binning text, fill float8) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = psi_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE psi_drift(float8, text, text, int, text, float8) IS
  'Population stability index of the rows against a stored baseline column; bins, binning, zero fill';

CREATE AGGREGATE psi_drift(value float8, baseline drift_profile) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = psi_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE psi_drift(float8, drift_profile) IS
  'Population stability index of the rows against a baseline profile';

CREATE AGGREGATE psi_drift(value float8, baseline drift_profile, bins int) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = psi_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE psi_drift(float8, drift_profile, int) IS
  'Population stability index of the rows against a baseline profile; bins';

CREATE AGGREGATE psi_drift(value float8, baseline drift_profile, bins int, binning text) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = psi_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE psi_drift(float8, drift_profile, int, text) IS
  'Population stability index of the rows against a baseline profile; bins, binning (quantile or uniform)';

CREATE AGGREGATE psi_drift(value float8, baseline drift_profile, bins int, binning text, fill float8) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = psi_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE psi_drift(float8, drift_profile, int, text, float8) IS
  'Population stability index of the rows against a baseline profile; bins, binning, zero fill';

CREATE FUNCTION psi_drift(baseline drift_profile, current drift_profile,
                        bins int DEFAULT 10, binning text DEFAULT 'quantile',
                        fill float8 DEFAULT 0.0001)
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'psi_drift_profiles' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION psi_drift(drift_profile, drift_profile, int, text, float8) IS
  'Population stability index of one profile against another, over bins from the baseline';

CREATE FUNCTION psi_drift(baseline float8[], current float8[],
                        bins int DEFAULT 10, binning text DEFAULT 'quantile',
                        fill float8 DEFAULT 0.0001)
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'psi_drift_arrays' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION psi_drift(float8[], float8[], int, text, float8) IS
  'Population stability index of two samples, over bins from the baseline';

-- js_drift
CREATE FUNCTION js_drift_final(drift_stream_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION js_drift_final(drift_stream_state) IS
  'Final function of the js_drift aggregates';

CREATE AGGREGATE js_drift(value float8, baseline text, column_name text) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = js_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE js_drift(float8, text, text) IS
  'Jensen–Shannon distance (natural log) of the rows against a stored baseline column';

CREATE AGGREGATE js_drift(value float8, baseline text, column_name text, bins int) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = js_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE js_drift(float8, text, text, int) IS
  'Jensen–Shannon distance (natural log) of the rows against a stored baseline column; bins';

CREATE AGGREGATE js_drift(value float8, baseline text, column_name text, bins int, binning text) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = js_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE js_drift(float8, text, text, int, text) IS
  'Jensen–Shannon distance (natural log) of the rows against a stored baseline column; bins, binning (quantile or uniform)';

CREATE AGGREGATE js_drift(value float8, baseline drift_profile) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = js_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE js_drift(float8, drift_profile) IS
  'Jensen–Shannon distance (natural log) of the rows against a baseline profile';

CREATE AGGREGATE js_drift(value float8, baseline drift_profile, bins int) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = js_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE js_drift(float8, drift_profile, int) IS
  'Jensen–Shannon distance (natural log) of the rows against a baseline profile; bins';

CREATE AGGREGATE js_drift(value float8, baseline drift_profile, bins int, binning text) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = js_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE js_drift(float8, drift_profile, int, text) IS
  'Jensen–Shannon distance (natural log) of the rows against a baseline profile; bins, binning (quantile or uniform)';

CREATE FUNCTION js_drift(baseline drift_profile, current drift_profile,
                        bins int DEFAULT 10, binning text DEFAULT 'quantile')
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'js_drift_profiles' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION js_drift(drift_profile, drift_profile, int, text) IS
  'Jensen–Shannon distance (natural log) of one profile against another, over bins from the baseline';

CREATE FUNCTION js_drift(baseline float8[], current float8[],
                        bins int DEFAULT 10, binning text DEFAULT 'quantile')
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'js_drift_arrays' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION js_drift(float8[], float8[], int, text) IS
  'Jensen–Shannon distance (natural log) of two samples, over bins from the baseline';

-- hellinger_drift
CREATE FUNCTION hellinger_drift_final(drift_stream_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION hellinger_drift_final(drift_stream_state) IS
  'Final function of the hellinger_drift aggregates';

CREATE AGGREGATE hellinger_drift(value float8, baseline text, column_name text) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = hellinger_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE hellinger_drift(float8, text, text) IS
  'Hellinger distance of the rows against a stored baseline column';

CREATE AGGREGATE hellinger_drift(value float8, baseline text, column_name text, bins int) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = hellinger_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE hellinger_drift(float8, text, text, int) IS
  'Hellinger distance of the rows against a stored baseline column; bins';

CREATE AGGREGATE hellinger_drift(value float8, baseline text, column_name text, bins int, binning text) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = hellinger_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE hellinger_drift(float8, text, text, int, text) IS
  'Hellinger distance of the rows against a stored baseline column; bins, binning (quantile or uniform)';

CREATE AGGREGATE hellinger_drift(value float8, baseline drift_profile) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = hellinger_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE hellinger_drift(float8, drift_profile) IS
  'Hellinger distance of the rows against a baseline profile';

CREATE AGGREGATE hellinger_drift(value float8, baseline drift_profile, bins int) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = hellinger_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE hellinger_drift(float8, drift_profile, int) IS
  'Hellinger distance of the rows against a baseline profile; bins';

CREATE AGGREGATE hellinger_drift(value float8, baseline drift_profile, bins int, binning text) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = hellinger_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE hellinger_drift(float8, drift_profile, int, text) IS
  'Hellinger distance of the rows against a baseline profile; bins, binning (quantile or uniform)';

CREATE FUNCTION hellinger_drift(baseline drift_profile, current drift_profile,
                        bins int DEFAULT 10, binning text DEFAULT 'quantile')
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'hellinger_drift_profiles' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION hellinger_drift(drift_profile, drift_profile, int, text) IS
  'Hellinger distance of one profile against another, over bins from the baseline';

CREATE FUNCTION hellinger_drift(baseline float8[], current float8[],
                        bins int DEFAULT 10, binning text DEFAULT 'quantile')
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'hellinger_drift_arrays' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION hellinger_drift(float8[], float8[], int, text) IS
  'Hellinger distance of two samples, over bins from the baseline';

-- kl_drift
CREATE FUNCTION kl_drift_final(drift_stream_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kl_drift_final(drift_stream_state) IS
  'Final function of the kl_drift aggregates';

CREATE AGGREGATE kl_drift(value float8, baseline text, column_name text) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = kl_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE kl_drift(float8, text, text) IS
  'Kullback–Leibler divergence, current from baseline, of the rows against a stored baseline column';

CREATE AGGREGATE kl_drift(value float8, baseline text, column_name text, bins int) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = kl_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE kl_drift(float8, text, text, int) IS
  'Kullback–Leibler divergence, current from baseline, of the rows against a stored baseline column; bins';

CREATE AGGREGATE kl_drift(value float8, baseline text, column_name text, bins int, binning text) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = kl_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE kl_drift(float8, text, text, int, text) IS
  'Kullback–Leibler divergence, current from baseline, of the rows against a stored baseline column; bins, binning (quantile or uniform)';

CREATE AGGREGATE kl_drift(value float8, baseline text, column_name text, bins int, binning text, fill float8) (
  SFUNC = binned_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = kl_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE kl_drift(float8, text, text, int, text, float8) IS
  'Kullback–Leibler divergence, current from baseline, of the rows against a stored baseline column; bins, binning, zero fill';

CREATE AGGREGATE kl_drift(value float8, baseline drift_profile) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = kl_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE kl_drift(float8, drift_profile) IS
  'Kullback–Leibler divergence, current from baseline, of the rows against a baseline profile';

CREATE AGGREGATE kl_drift(value float8, baseline drift_profile, bins int) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = kl_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE kl_drift(float8, drift_profile, int) IS
  'Kullback–Leibler divergence, current from baseline, of the rows against a baseline profile; bins';

CREATE AGGREGATE kl_drift(value float8, baseline drift_profile, bins int, binning text) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = kl_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE kl_drift(float8, drift_profile, int, text) IS
  'Kullback–Leibler divergence, current from baseline, of the rows against a baseline profile; bins, binning (quantile or uniform)';

CREATE AGGREGATE kl_drift(value float8, baseline drift_profile, bins int, binning text, fill float8) (
  SFUNC = binned_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = kl_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE kl_drift(float8, drift_profile, int, text, float8) IS
  'Kullback–Leibler divergence, current from baseline, of the rows against a baseline profile; bins, binning, zero fill';

CREATE FUNCTION kl_drift(baseline drift_profile, current drift_profile,
                        bins int DEFAULT 10, binning text DEFAULT 'quantile',
                        fill float8 DEFAULT 0.0001)
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'kl_drift_profiles' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kl_drift(drift_profile, drift_profile, int, text, float8) IS
  'Kullback–Leibler divergence, current from baseline, of one profile against another, over bins from the baseline';

CREATE FUNCTION kl_drift(baseline float8[], current float8[],
                        bins int DEFAULT 10, binning text DEFAULT 'quantile',
                        fill float8 DEFAULT 0.0001)
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'kl_drift_arrays' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kl_drift(float8[], float8[], int, text, float8) IS
  'Kullback–Leibler divergence, current from baseline, of two samples, over bins from the baseline';

-- ---------------------------------------------------------------------------
-- zscore_drift: z-test for a shift of the mean
-- ---------------------------------------------------------------------------

-- The streaming state: the baseline's moments and the current values'
-- double-double sums of deviations from the baseline mean.  Fixed size and a
-- real type, so the aggregates push down on Citus.
CREATE TYPE drift_mean_state;

CREATE FUNCTION drift_mean_state_in(cstring) RETURNS drift_mean_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_mean_state_out(drift_mean_state) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_mean_state_recv(internal) RETURNS drift_mean_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_mean_state_send(drift_mean_state) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE drift_mean_state (
  INPUT = drift_mean_state_in,
  OUTPUT = drift_mean_state_out,
  RECEIVE = drift_mean_state_recv,
  SEND = drift_mean_state_send,
  INTERNALLENGTH = 104,
  ALIGNMENT = double,
  STORAGE = plain
);
COMMENT ON TYPE drift_mean_state IS
  'Partial state of zscore_drift: the baseline''s size, mean and spread and accurate sums '
  'of the current values; a real type so that Citus can push the aggregate down';
COMMENT ON FUNCTION drift_mean_state_in(cstring) IS 'Text input of drift_mean_state: its binary form in base64, or \x and hex digits (the 0.1.0 form), validated';
COMMENT ON FUNCTION drift_mean_state_out(drift_mean_state) IS 'Text output of drift_mean_state: its binary form in base64 (how Citus ships states)';
COMMENT ON FUNCTION drift_mean_state_recv(internal) IS 'Binary input of drift_mean_state';
COMMENT ON FUNCTION drift_mean_state_send(drift_mean_state) IS 'Binary output of drift_mean_state';

CREATE FUNCTION zscore_drift_named_trans(drift_mean_state, float8, text, text)
  RETURNS drift_mean_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION zscore_drift_profile_trans(drift_mean_state, float8, drift_profile)
  RETURNS drift_mean_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION zscore_drift_combine(drift_mean_state, drift_mean_state)
  RETURNS drift_mean_state AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION zscore_drift_final(drift_mean_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION zscore_drift_named_trans(drift_mean_state, float8, text, text) IS
  'Transition function of zscore_drift against a stored baseline column';
COMMENT ON FUNCTION zscore_drift_profile_trans(drift_mean_state, float8, drift_profile) IS
  'Transition function of zscore_drift against a baseline profile';
COMMENT ON FUNCTION zscore_drift_combine(drift_mean_state, drift_mean_state) IS
  'Combine function of zscore_drift: adds two partial states';
COMMENT ON FUNCTION zscore_drift_final(drift_mean_state) IS
  'Final function of zscore_drift';

CREATE AGGREGATE zscore_drift(value float8, baseline text, column_name text) (
  SFUNC = zscore_drift_named_trans,
  STYPE = drift_mean_state,
  COMBINEFUNC = zscore_drift_combine,
  FINALFUNC = zscore_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE zscore_drift(float8, text, text) IS
  'z-test of the rows'' mean against a stored baseline column''s (sample variances)';

CREATE AGGREGATE zscore_drift(value float8, baseline drift_profile) (
  SFUNC = zscore_drift_profile_trans,
  STYPE = drift_mean_state,
  COMBINEFUNC = zscore_drift_combine,
  FINALFUNC = zscore_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE zscore_drift(float8, drift_profile) IS
  'z-test of the rows'' mean against a baseline profile''s (sample variances)';

CREATE FUNCTION zscore_drift(baseline drift_profile, current drift_profile)
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'zscore_drift_profiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION zscore_drift(drift_profile, drift_profile) IS
  'z-test for a difference of means between two profiles';

CREATE FUNCTION zscore_drift(baseline float8[], current float8[])
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'zscore_drift_arrays' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION zscore_drift(float8[], float8[]) IS
  'z-test for a difference of means between two samples (sample variances)';

-- ---------------------------------------------------------------------------
-- wasserstein_drift: first Wasserstein distance, as scipy.stats.wasserstein_distance
-- ---------------------------------------------------------------------------

-- The distance needs every current value's position, so the streaming state
-- keeps the current distinct values with counts (bounded by
-- pg_drift.exact_profile_limit).  It grows, so it is internal: these
-- aggregates run in parallel but gather rows to the coordinator on Citus.
CREATE FUNCTION wasserstein_drift_named_trans(internal, float8, text, text) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION wasserstein_drift_profile_trans(internal, float8, drift_profile) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION wasserstein_drift_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION wasserstein_drift_serialize(internal) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION wasserstein_drift_deserialize(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION wasserstein_drift_final(internal) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION wasserstein_drift_named_trans(internal, float8, text, text) IS
  'Transition function of wasserstein_drift against a stored baseline column';
COMMENT ON FUNCTION wasserstein_drift_profile_trans(internal, float8, drift_profile) IS
  'Transition function of wasserstein_drift against a baseline profile';
COMMENT ON FUNCTION wasserstein_drift_combine(internal, internal) IS
  'Combine function of wasserstein_drift';
COMMENT ON FUNCTION wasserstein_drift_serialize(internal) IS
  'Serialize function of wasserstein_drift';
COMMENT ON FUNCTION wasserstein_drift_deserialize(bytea, internal) IS
  'Deserialize function of wasserstein_drift';
COMMENT ON FUNCTION wasserstein_drift_final(internal) IS
  'Final function of wasserstein_drift';

CREATE AGGREGATE wasserstein_drift(value float8, baseline text, column_name text) (
  SFUNC = wasserstein_drift_named_trans,
  STYPE = internal,
  SSPACE = 65536,
  COMBINEFUNC = wasserstein_drift_combine,
  SERIALFUNC = wasserstein_drift_serialize,
  DESERIALFUNC = wasserstein_drift_deserialize,
  FINALFUNC = wasserstein_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE wasserstein_drift(float8, text, text) IS
  'First Wasserstein distance of the rows from a stored baseline column '
  '(keeps the current distinct values; gathers on Citus)';

CREATE AGGREGATE wasserstein_drift(value float8, baseline drift_profile) (
  SFUNC = wasserstein_drift_profile_trans,
  STYPE = internal,
  SSPACE = 65536,
  COMBINEFUNC = wasserstein_drift_combine,
  SERIALFUNC = wasserstein_drift_serialize,
  DESERIALFUNC = wasserstein_drift_deserialize,
  FINALFUNC = wasserstein_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE wasserstein_drift(float8, drift_profile) IS
  'First Wasserstein distance of the rows from a baseline profile '
  '(keeps the current distinct values; gathers on Citus)';

CREATE FUNCTION wasserstein_drift(baseline drift_profile, current drift_profile)
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'wasserstein_drift_profiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION wasserstein_drift(drift_profile, drift_profile) IS
  'First Wasserstein distance between two profiles';

CREATE FUNCTION wasserstein_drift(baseline float8[], current float8[])
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'wasserstein_drift_arrays' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION wasserstein_drift(float8[], float8[]) IS
  'First Wasserstein distance between two samples, as scipy.stats.wasserstein_distance';
