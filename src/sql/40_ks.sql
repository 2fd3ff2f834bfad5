-- ---------------------------------------------------------------------------
-- ks_drift: two-sample Kolmogorov–Smirnov test, as scipy.stats.ks_2samp
-- ---------------------------------------------------------------------------

CREATE FUNCTION ks_drift_named_trans(drift_stream_state, float8, text, text)
  RETURNS drift_stream_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION ks_drift_named_trans(drift_stream_state, double precision, text, text) IS
  'Transition function of ks_drift against a named baseline';
CREATE FUNCTION ks_drift_named_trans(drift_stream_state, float8, text, text, text)
  RETURNS drift_stream_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION ks_drift_named_trans(drift_stream_state, double precision, text, text, text) IS
  'Transition function of ks_drift against a named baseline';
CREATE FUNCTION ks_drift_profile_trans(drift_stream_state, float8, drift_profile)
  RETURNS drift_stream_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION ks_drift_profile_trans(drift_stream_state, double precision, drift_profile) IS
  'Transition function of ks_drift against a drift_profile value';
CREATE FUNCTION ks_drift_profile_trans(drift_stream_state, float8, drift_profile, text)
  RETURNS drift_stream_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION ks_drift_profile_trans(drift_stream_state, double precision, drift_profile, text) IS
  'Transition function of ks_drift against a drift_profile value';
CREATE FUNCTION ks_drift_final(drift_stream_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ks_drift_final(drift_stream_state) IS
  'Final function of the ks_drift aggregates';

CREATE AGGREGATE ks_drift(value float8, baseline text, column_name text) (
  SFUNC = ks_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = ks_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE ks_drift(float8, text, text) IS
  'Two-sided Kolmogorov–Smirnov test of the rows against a stored baseline column';

CREATE AGGREGATE ks_drift(value float8, baseline text, column_name text, alternative text) (
  SFUNC = ks_drift_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = ks_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE ks_drift(float8, text, text, text) IS
  'Kolmogorov–Smirnov test against a stored baseline column; alternative: two-sided, less, greater';

CREATE AGGREGATE ks_drift(value float8, baseline drift_profile) (
  SFUNC = ks_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = ks_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE ks_drift(float8, drift_profile) IS
  'Two-sided Kolmogorov–Smirnov test of the rows against a baseline profile';

CREATE AGGREGATE ks_drift(value float8, baseline drift_profile, alternative text) (
  SFUNC = ks_drift_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = ks_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE ks_drift(float8, drift_profile, text) IS
  'Kolmogorov–Smirnov test against a baseline profile; alternative: two-sided, less, greater';

CREATE FUNCTION ks_drift(baseline drift_profile, current drift_profile,
                         alternative text DEFAULT 'two-sided')
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'ks_drift_profiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ks_drift(drift_profile, drift_profile, text) IS
  'Kolmogorov–Smirnov test of one profile against another';

CREATE FUNCTION ks_drift(baseline float8[], current float8[],
                         alternative text DEFAULT 'two-sided')
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'ks_drift_arrays' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ks_drift(float8[], float8[], text) IS
  'Kolmogorov–Smirnov test of two samples, exactly as scipy.stats.ks_2samp';
