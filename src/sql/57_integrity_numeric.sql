-- ---------------------------------------------------------------------------
-- Data integrity: NULL-rate change, share of values outside the baseline's
-- range, and a value's position in the baseline's distribution
-- ---------------------------------------------------------------------------

CREATE TYPE drift_integrity_state;

CREATE FUNCTION drift_integrity_state_in(cstring) RETURNS drift_integrity_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_integrity_state_in(cstring) IS
  'Text input of drift_integrity_state: its binary form in base64, or \x and hex digits (the 0.1.0 form), validated';
CREATE FUNCTION drift_integrity_state_out(drift_integrity_state) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_integrity_state_out(drift_integrity_state) IS
  'Text output of drift_integrity_state: its binary form in base64 (how Citus ships states)';
CREATE FUNCTION drift_integrity_state_recv(internal) RETURNS drift_integrity_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_integrity_state_recv(internal) IS
  'Binary input of drift_integrity_state, validating every count and length';
CREATE FUNCTION drift_integrity_state_send(drift_integrity_state) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_integrity_state_send(drift_integrity_state) IS
  'Binary output of drift_integrity_state';

CREATE TYPE drift_integrity_state (
  INPUT = drift_integrity_state_in,
  OUTPUT = drift_integrity_state_out,
  RECEIVE = drift_integrity_state_recv,
  SEND = drift_integrity_state_send,
  INTERNALLENGTH = 96,
  ALIGNMENT = double,
  STORAGE = plain
);
COMMENT ON TYPE drift_integrity_state IS
  'Partial state of null_rate_drift and out_of_range_share: current row counts and the '
  'baseline''s counts and range (fixed size, so that Citus can push the aggregates down)';

CREATE FUNCTION drift_integrity_state_combine(drift_integrity_state, drift_integrity_state)
  RETURNS drift_integrity_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION drift_integrity_state_combine(drift_integrity_state, drift_integrity_state) IS
  'Combine function of null_rate_drift and out_of_range_share: adds the current counts';

-- null_rate_drift ------------------------------------------------------------

CREATE FUNCTION null_rate_drift_named_trans(drift_integrity_state, float8, text, text)
  RETURNS drift_integrity_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION null_rate_drift_named_trans(drift_integrity_state, double precision, text, text) IS
  'Transition function of null_rate_drift against a named baseline';
CREATE FUNCTION null_rate_drift_named_trans(drift_integrity_state, text, text, text)
  RETURNS drift_integrity_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION null_rate_drift_named_trans(drift_integrity_state, text, text, text) IS
  'Transition function of null_rate_drift against a named baseline';
CREATE FUNCTION null_rate_drift_profile_trans(drift_integrity_state, float8, drift_profile)
  RETURNS drift_integrity_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION null_rate_drift_profile_trans(drift_integrity_state, double precision, drift_profile) IS
  'Transition function of null_rate_drift against a drift_profile value';
CREATE FUNCTION null_rate_drift_profile_trans(drift_integrity_state, text, drift_profile)
  RETURNS drift_integrity_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION null_rate_drift_profile_trans(drift_integrity_state, text, drift_profile) IS
  'Transition function of null_rate_drift against a drift_profile value';
CREATE FUNCTION null_rate_drift_final(drift_integrity_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION null_rate_drift_final(drift_integrity_state) IS
  'Final function of the null_rate_drift aggregates';

CREATE AGGREGATE null_rate_drift(value float8, baseline text, column_name text) (
  SFUNC = null_rate_drift_named_trans,
  STYPE = drift_integrity_state,
  COMBINEFUNC = drift_integrity_state_combine,
  FINALFUNC = null_rate_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE null_rate_drift(float8, text, text) IS
  'Change of the NULL rate against a stored baseline column: statistic = current NULL rate '
  'minus baseline NULL rate (NULLs over all rows, NaN counts as a value); p-value of the '
  'two-sided pooled two-proportion z-test, erfc(|z|/sqrt(2)) with '
  'z = statistic / sqrt(p(1-p)(1/n_baseline + 1/n_current)), p the pooled NULL rate '
  '(NULL when p is 0 or 1); n_baseline and n_current count rows including NULLs';

CREATE AGGREGATE null_rate_drift(value text, baseline text, column_name text) (
  SFUNC = null_rate_drift_named_trans,
  STYPE = drift_integrity_state,
  COMBINEFUNC = drift_integrity_state_combine,
  FINALFUNC = null_rate_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE null_rate_drift(text, text, text) IS
  'Change of the NULL rate of a text column against a stored baseline column '
  '(definition as for the float8 form)';

CREATE AGGREGATE null_rate_drift(value float8, baseline drift_profile) (
  SFUNC = null_rate_drift_profile_trans,
  STYPE = drift_integrity_state,
  COMBINEFUNC = drift_integrity_state_combine,
  FINALFUNC = null_rate_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE null_rate_drift(float8, drift_profile) IS
  'Change of the NULL rate against a baseline profile (definition as for the named form)';

CREATE AGGREGATE null_rate_drift(value text, baseline drift_profile) (
  SFUNC = null_rate_drift_profile_trans,
  STYPE = drift_integrity_state,
  COMBINEFUNC = drift_integrity_state_combine,
  FINALFUNC = null_rate_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE null_rate_drift(text, drift_profile) IS
  'Change of the NULL rate of a text column against a baseline profile';

CREATE FUNCTION null_rate_drift(baseline drift_profile, current drift_profile)
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'null_rate_drift_profiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION null_rate_drift(drift_profile, drift_profile) IS
  'Change of the NULL rate from one profile to another (two-proportion z-test)';

-- out_of_range_share ---------------------------------------------------------

CREATE FUNCTION out_of_range_share_named_trans(drift_integrity_state, float8, text, text)
  RETURNS drift_integrity_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION out_of_range_share_named_trans(drift_integrity_state, double precision, text, text) IS
  'Transition function of out_of_range_share against a named baseline';
CREATE FUNCTION out_of_range_share_profile_trans(drift_integrity_state, float8, drift_profile)
  RETURNS drift_integrity_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION out_of_range_share_profile_trans(drift_integrity_state, double precision, drift_profile) IS
  'Transition function of out_of_range_share against a drift_profile value';
CREATE FUNCTION out_of_range_share_final(drift_integrity_state) RETURNS float8
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION out_of_range_share_final(drift_integrity_state) IS
  'Final function of the out_of_range_share aggregates';

CREATE AGGREGATE out_of_range_share(value float8, baseline text, column_name text) (
  SFUNC = out_of_range_share_named_trans,
  STYPE = drift_integrity_state,
  COMBINEFUNC = drift_integrity_state_combine,
  FINALFUNC = out_of_range_share_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE out_of_range_share(float8, text, text) IS
  'Share of the non-NULL, non-NaN values outside the baseline column''s [min, max] '
  '(NULL when there are none; every value is outside an empty baseline)';

CREATE AGGREGATE out_of_range_share(value float8, baseline drift_profile) (
  SFUNC = out_of_range_share_profile_trans,
  STYPE = drift_integrity_state,
  COMBINEFUNC = drift_integrity_state_combine,
  FINALFUNC = out_of_range_share_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE out_of_range_share(float8, drift_profile) IS
  'Share of the non-NULL, non-NaN values outside the profile''s [min, max]';

-- drift_quantile -------------------------------------------------------------

CREATE FUNCTION drift_quantile(value float8, baseline drift_profile) RETURNS float8
  AS 'MODULE_PATHNAME', 'drift_quantile_profile' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_quantile(float8, drift_profile) IS
  'The value''s position in the baseline distribution, mid-rank ECDF: '
  '(#values below + 0.5 * #values equal) / #values; NULL for NaN or an empty profile; '
  'within rank_error of the exact position on an approximate profile';

CREATE FUNCTION drift_quantile(value float8, baseline text, column_name text) RETURNS float8
  AS 'MODULE_PATHNAME', 'drift_quantile_named' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_quantile(float8, text, text) IS
  'The value''s position in a stored baseline column''s distribution (mid-rank ECDF, '
  'see drift_quantile(float8, drift_profile)); the profile is read once per query';
