-- ---------------------------------------------------------------------------
-- Quantile-sketch profiles: building with a size bound, compacting, and
-- describing any profile
-- ---------------------------------------------------------------------------

CREATE FUNCTION drift_sketch_agg_trans(internal, float8, int) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION drift_sketch_agg_trans(internal, double precision, integer) IS
  'Transition function of drift_sketch_agg';
CREATE FUNCTION drift_sketch_agg_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION drift_sketch_agg_combine(internal, internal) IS
  'Combine function of drift_sketch_agg (parallel and partial aggregation)';
CREATE FUNCTION drift_sketch_agg_serialize(internal) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_sketch_agg_serialize(internal) IS
  'Serializes the internal state of drift_sketch_agg for parallel aggregation';
CREATE FUNCTION drift_sketch_agg_deserialize(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_sketch_agg_deserialize(bytea, internal) IS
  'Deserializes the internal state of drift_sketch_agg in parallel aggregation';
CREATE FUNCTION drift_sketch_agg_final(internal) RETURNS drift_profile
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION drift_sketch_agg_final(internal) IS
  'Final function of the drift_sketch_agg aggregates';

CREATE AGGREGATE drift_sketch_agg(value float8, max_entries int) (
  SFUNC = drift_sketch_agg_trans,
  STYPE = internal,
  COMBINEFUNC = drift_sketch_agg_combine,
  SERIALFUNC = drift_sketch_agg_serialize,
  DESERIALFUNC = drift_sketch_agg_deserialize,
  FINALFUNC = drift_sketch_agg_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE drift_sketch_agg(float8, int) IS
  'Numeric profile kept to at most max_entries entries: exact while the distinct values fit, '
  'else a quantile sketch (equi-depth compaction to max_entries/2) whose rank-error bound is '
  'stored; count, NULL and NaN counts, min, max, mean and variance stay exact';

CREATE FUNCTION drift_profile_compact(profile drift_profile, max_entries int)
  RETURNS drift_profile
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_profile_compact(drift_profile, int) IS
  'The numeric profile with at most max_entries entries (unchanged when it already fits); '
  'one compaction adds a rank error of at most ceil(n / floor((max_entries - 1) / 2)) / 2 values '
  '(n the count), added to the stored bound';

CREATE FUNCTION drift_profile_info(profile drift_profile,
    OUT kind text, OUT exact boolean, OUT rank_error float8, OUT count bigint,
    OUT null_count bigint, OUT nan_count bigint, OUT distinct_entries int,
    OUT min float8, OUT max float8, OUT mean float8, OUT variance float8,
    OUT size_bytes int)
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_profile_info(drift_profile) IS
  'Describe a profile: kind, exact or sketch, rank_error (bound on |rank error| / count; 0 when '
  'exact), counts, entries kept, min, max, mean, sample variance, and size in bytes';
