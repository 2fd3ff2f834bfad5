-- ---------------------------------------------------------------------------
-- drift_profile: a compact, mergeable summary of one column
-- ---------------------------------------------------------------------------

CREATE TYPE drift_profile;

CREATE FUNCTION drift_profile_in(cstring) RETURNS drift_profile
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_profile_in(cstring) IS
  'Text input of drift_profile';
CREATE FUNCTION drift_profile_out(drift_profile) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_profile_out(drift_profile) IS
  'Text output of drift_profile';
CREATE FUNCTION drift_profile_recv(internal) RETURNS drift_profile
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_profile_recv(internal) IS
  'Binary input of drift_profile, validating every count and length';
CREATE FUNCTION drift_profile_send(drift_profile) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_profile_send(drift_profile) IS
  'Binary output of drift_profile';

CREATE TYPE drift_profile (
  INPUT = drift_profile_in,
  OUTPUT = drift_profile_out,
  RECEIVE = drift_profile_recv,
  SEND = drift_profile_send,
  INTERNALLENGTH = VARIABLE,
  ALIGNMENT = double,
  STORAGE = extended
);
COMMENT ON TYPE drift_profile IS
  'Summary of one column: counts of values, NULLs and NaNs, min, max, mean, variance, '
  'and every distinct value with its count (exact up to pg_drift.exact_profile_limit)';

-- Building profiles.  The state is internal: it grows with the distinct
-- values, so these aggregates gather rows on Citus rather than push down.

CREATE FUNCTION drift_profile_agg_trans(internal, float8) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION drift_profile_agg_trans(internal, double precision) IS
  'Transition function of drift_profile_agg';
CREATE FUNCTION drift_profile_merge_trans(internal, drift_profile) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION drift_profile_merge_trans(internal, drift_profile) IS
  'Transition function of drift_profile_merge: merges one profile into the running one';
CREATE FUNCTION drift_profile_agg_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION drift_profile_agg_combine(internal, internal) IS
  'Combine function of drift_profile_agg (parallel and partial aggregation)';
CREATE FUNCTION drift_profile_agg_serialize(internal) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_profile_agg_serialize(internal) IS
  'Serializes the internal state of drift_profile_agg for parallel aggregation';
CREATE FUNCTION drift_profile_agg_deserialize(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_profile_agg_deserialize(bytea, internal) IS
  'Deserializes the internal state of drift_profile_agg in parallel aggregation';
CREATE FUNCTION drift_profile_agg_final(internal) RETURNS drift_profile
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION drift_profile_agg_final(internal) IS
  'Final function of the drift_profile_agg aggregates';

CREATE AGGREGATE drift_profile_agg(float8) (
  SFUNC = drift_profile_agg_trans,
  STYPE = internal,
  SSPACE = 65536,
  COMBINEFUNC = drift_profile_agg_combine,
  SERIALFUNC = drift_profile_agg_serialize,
  DESERIALFUNC = drift_profile_agg_deserialize,
  FINALFUNC = drift_profile_agg_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE drift_profile_agg(float8) IS
  'Profile of a numeric column: exact distinct values and counts, NULLs and NaNs counted';

CREATE AGGREGATE drift_profile_merge(drift_profile) (
  SFUNC = drift_profile_merge_trans,
  STYPE = internal,
  SSPACE = 65536,
  COMBINEFUNC = drift_profile_agg_combine,
  SERIALFUNC = drift_profile_agg_serialize,
  DESERIALFUNC = drift_profile_agg_deserialize,
  FINALFUNC = drift_profile_agg_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE drift_profile_merge(drift_profile) IS
  'Merge profiles (per partition, per day, per shard) into one, without rescanning rows';
