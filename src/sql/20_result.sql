-- ---------------------------------------------------------------------------
-- drift_result and the streaming tests' state
-- ---------------------------------------------------------------------------

CREATE TYPE drift_result AS (
  statistic  float8,
  p_value    float8,
  n_baseline bigint,
  n_current  bigint
);
COMMENT ON TYPE drift_result IS
  'Result of every drift test: the statistic, its p-value (NULL for distances), '
  'and the numbers of baseline and current values compared';

CREATE TYPE drift_stream_state;

CREATE FUNCTION drift_stream_state_in(cstring) RETURNS drift_stream_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_stream_state_in(cstring) IS
  'Text input of drift_stream_state: its binary form in base64, or \x and hex digits (the 0.1.0 form), validated';
CREATE FUNCTION drift_stream_state_out(drift_stream_state) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_stream_state_out(drift_stream_state) IS
  'Text output of drift_stream_state: its binary form in base64 (how Citus ships states)';
CREATE FUNCTION drift_stream_state_recv(internal) RETURNS drift_stream_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_stream_state_recv(internal) IS
  'Binary input of drift_stream_state, validating every count and length';
CREATE FUNCTION drift_stream_state_send(drift_stream_state) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_stream_state_send(drift_stream_state) IS
  'Binary output of drift_stream_state';

CREATE TYPE drift_stream_state (
  INPUT = drift_stream_state_in,
  OUTPUT = drift_stream_state_out,
  RECEIVE = drift_stream_state_recv,
  SEND = drift_stream_state_send,
  INTERNALLENGTH = VARIABLE,
  ALIGNMENT = double,
  STORAGE = extended
);
COMMENT ON TYPE drift_stream_state IS
  'Partial state of a streaming drift test: counts per baseline slot, never the rows; '
  'a real type so that Citus can push the aggregates down to shards';

CREATE FUNCTION drift_stream_state_combine(drift_stream_state, drift_stream_state)
  RETURNS drift_stream_state
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_stream_state_combine(drift_stream_state, drift_stream_state) IS
  'Combine function of the streaming drift tests: adds counts of two partial states';
