-- ---------------------------------------------------------------------------
-- Categorical data: profiles of text columns and the categorical drift tests
-- (chi2_drift, psi_drift, js_drift, linf_drift, tvd_drift on text), plus
-- unseen_category_share.  Other types reach these through a cast to text.
-- ---------------------------------------------------------------------------

CREATE FUNCTION drift_profile_agg_text_trans(internal, text) RETURNS internal
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION drift_profile_agg_text_trans(internal, text) IS
  'Transition function of drift_profile_agg(text): counts the category (or the NULL)';

-- internal state (a hash table of categories): gathers rows on Citus
CREATE AGGREGATE drift_profile_agg(text) (
  SFUNC = drift_profile_agg_text_trans,
  STYPE = internal,
  SSPACE = 65536,
  COMBINEFUNC = drift_profile_agg_combine,
  SERIALFUNC = drift_profile_agg_serialize,
  DESERIALFUNC = drift_profile_agg_deserialize,
  FINALFUNC = drift_profile_agg_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE drift_profile_agg(text) IS
  'Profile of a categorical column: exact count per category, NULLs counted';

-- The streaming state: counts per baseline category plus the exact counts of
-- categories the baseline never saw (see src/drift/category_state.h).

CREATE TYPE drift_category_state;

CREATE FUNCTION drift_category_state_in(cstring) RETURNS drift_category_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_category_state_out(drift_category_state) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_category_state_recv(internal) RETURNS drift_category_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION drift_category_state_send(drift_category_state) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE drift_category_state (
  INPUT = drift_category_state_in,
  OUTPUT = drift_category_state_out,
  RECEIVE = drift_category_state_recv,
  SEND = drift_category_state_send,
  INTERNALLENGTH = VARIABLE,
  ALIGNMENT = double,
  STORAGE = extended
);
COMMENT ON FUNCTION drift_category_state_in(cstring) IS
  'Text input of drift_category_state: its binary form in base64, or \x and hex digits (the 0.1.0 form), validated';
COMMENT ON FUNCTION drift_category_state_out(drift_category_state) IS
  'Text output of drift_category_state: its binary form in base64 (how Citus ships states)';
COMMENT ON FUNCTION drift_category_state_recv(internal) IS
  'Binary input of drift_category_state, validating every count and category';
COMMENT ON FUNCTION drift_category_state_send(drift_category_state) IS
  'Binary output of drift_category_state';
COMMENT ON TYPE drift_category_state IS
  'Partial state of a streaming categorical drift test: counts per baseline category and '
  'exact counts of unseen categories, never the rows; a real type so that Citus pushes down';

CREATE FUNCTION drift_category_state_combine(drift_category_state, drift_category_state)
  RETURNS drift_category_state
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION drift_category_state_combine(drift_category_state, drift_category_state) IS
  'Combine function of the categorical drift tests: adds counts of two partial states';

CREATE FUNCTION categorical_named_trans(drift_category_state, text, text, text)
  RETURNS drift_category_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION categorical_named_trans(drift_category_state, text, text, text, float8)
  RETURNS drift_category_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION categorical_profile_trans(drift_category_state, text, drift_profile)
  RETURNS drift_category_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION categorical_profile_trans(drift_category_state, text, drift_profile, float8)
  RETURNS drift_category_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION categorical_named_trans(drift_category_state, text, text, text) IS
  'Transition function of the categorical drift tests against a stored baseline';
COMMENT ON FUNCTION categorical_named_trans(drift_category_state, text, text, text, float8) IS
  'Transition function of psi_drift on text against a stored baseline, with a zero fill';
COMMENT ON FUNCTION categorical_profile_trans(drift_category_state, text, drift_profile) IS
  'Transition function of the categorical drift tests against a profile';
COMMENT ON FUNCTION categorical_profile_trans(drift_category_state, text, drift_profile, float8) IS
  'Transition function of psi_drift on text against a profile, with a zero fill';

-- chi2_drift details: the degrees of freedom beside statistic and p-value
CREATE TYPE chi2_details AS (
  statistic  float8,
  p_value    float8,
  dof        bigint,
  n_baseline bigint,
  n_current  bigint
);
COMMENT ON TYPE chi2_details IS
  'Result of chi2_drift_details: chi-square statistic, p-value, degrees of freedom '
  '(categories in the union minus one) and sample sizes';

CREATE FUNCTION chi2_drift_final(drift_category_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION chi2_drift_details_final(drift_category_state) RETURNS chi2_details
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION psi_drift_categorical_final(drift_category_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION js_drift_categorical_final(drift_category_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION linf_drift_final(drift_category_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION tvd_drift_final(drift_category_state) RETURNS drift_result
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION chi2_drift_final(drift_category_state) IS 'Final function of chi2_drift';
COMMENT ON FUNCTION chi2_drift_details_final(drift_category_state) IS
  'Final function of chi2_drift_details';
COMMENT ON FUNCTION psi_drift_categorical_final(drift_category_state) IS
  'Final function of psi_drift on text';
COMMENT ON FUNCTION js_drift_categorical_final(drift_category_state) IS
  'Final function of js_drift on text';
COMMENT ON FUNCTION linf_drift_final(drift_category_state) IS 'Final function of linf_drift';
COMMENT ON FUNCTION tvd_drift_final(drift_category_state) IS 'Final function of tvd_drift';

-- The streaming aggregates: (value, 'baseline', 'column') and (value, profile)
-- for each test; psi_drift also with a zero fill as last argument.
CREATE AGGREGATE chi2_drift(value text, baseline text, column_name text) (
  SFUNC = categorical_named_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = chi2_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE chi2_drift(text, text, text) IS
  'Chi-square test of homogeneity (as scipy.stats.chi2_contingency) of the rows'' categories against a stored baseline column';
CREATE AGGREGATE chi2_drift(value text, baseline drift_profile) (
  SFUNC = categorical_profile_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = chi2_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE chi2_drift(text, drift_profile) IS
  'Chi-square test of homogeneity (as scipy.stats.chi2_contingency) of the rows'' categories against a baseline profile';

CREATE AGGREGATE chi2_drift_details(value text, baseline text, column_name text) (
  SFUNC = categorical_named_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = chi2_drift_details_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE chi2_drift_details(text, text, text) IS
  'Chi-square test with its degrees of freedom, of the rows'' categories against a stored baseline column';
CREATE AGGREGATE chi2_drift_details(value text, baseline drift_profile) (
  SFUNC = categorical_profile_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = chi2_drift_details_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE chi2_drift_details(text, drift_profile) IS
  'Chi-square test with its degrees of freedom, of the rows'' categories against a baseline profile';

CREATE AGGREGATE psi_drift(value text, baseline text, column_name text) (
  SFUNC = categorical_named_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = psi_drift_categorical_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE psi_drift(text, text, text) IS
  'Population stability index of the rows'' categories (zero shares filled with 0.0001) against a stored baseline column';
CREATE AGGREGATE psi_drift(value text, baseline drift_profile) (
  SFUNC = categorical_profile_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = psi_drift_categorical_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE psi_drift(text, drift_profile) IS
  'Population stability index of the rows'' categories (zero shares filled with 0.0001) against a baseline profile';

CREATE AGGREGATE js_drift(value text, baseline text, column_name text) (
  SFUNC = categorical_named_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = js_drift_categorical_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE js_drift(text, text, text) IS
  'Jensen-Shannon distance (natural log) of the rows'' category shares against a stored baseline column';
CREATE AGGREGATE js_drift(value text, baseline drift_profile) (
  SFUNC = categorical_profile_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = js_drift_categorical_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE js_drift(text, drift_profile) IS
  'Jensen-Shannon distance (natural log) of the rows'' category shares against a baseline profile';

CREATE AGGREGATE linf_drift(value text, baseline text, column_name text) (
  SFUNC = categorical_named_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = linf_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE linf_drift(text, text, text) IS
  'Largest absolute difference of the rows'' category shares against a stored baseline column';
CREATE AGGREGATE linf_drift(value text, baseline drift_profile) (
  SFUNC = categorical_profile_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = linf_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE linf_drift(text, drift_profile) IS
  'Largest absolute difference of the rows'' category shares against a baseline profile';

CREATE AGGREGATE tvd_drift(value text, baseline text, column_name text) (
  SFUNC = categorical_named_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = tvd_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE tvd_drift(text, text, text) IS
  'Total variation distance of the rows'' category shares against a stored baseline column';
CREATE AGGREGATE tvd_drift(value text, baseline drift_profile) (
  SFUNC = categorical_profile_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = tvd_drift_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE tvd_drift(text, drift_profile) IS
  'Total variation distance of the rows'' category shares against a baseline profile';

CREATE AGGREGATE psi_drift(value text, baseline text, column_name text, fill float8) (
  SFUNC = categorical_named_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = psi_drift_categorical_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE psi_drift(text, text, text, float8) IS
  'Population stability index of the rows'' categories against a stored baseline column, '
  'zero shares replaced by fill';

CREATE AGGREGATE psi_drift(value text, baseline drift_profile, fill float8) (
  SFUNC = categorical_profile_trans,
  STYPE = drift_category_state,
  COMBINEFUNC = drift_category_state_combine,
  FINALFUNC = psi_drift_categorical_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE psi_drift(text, drift_profile, float8) IS
  'Population stability index of the rows'' categories against a baseline profile, '
  'zero shares replaced by fill';

-- Profile against profile.  psi_drift and js_drift on two profiles are the
-- numeric functions, which hand categorical profiles to the code here.
CREATE FUNCTION chi2_drift(baseline drift_profile, current drift_profile) RETURNS drift_result
  AS 'MODULE_PATHNAME', 'chi2_drift_profiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION chi2_drift(drift_profile, drift_profile) IS
  'Chi-square test of homogeneity of two categorical profiles, as scipy.stats.chi2_contingency';
CREATE FUNCTION chi2_drift_details(baseline drift_profile, current drift_profile) RETURNS chi2_details
  AS 'MODULE_PATHNAME', 'chi2_drift_details_profiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION chi2_drift_details(drift_profile, drift_profile) IS
  'Chi-square test of two categorical profiles with its degrees of freedom';
CREATE FUNCTION linf_drift(baseline drift_profile, current drift_profile) RETURNS drift_result
  AS 'MODULE_PATHNAME', 'linf_drift_profiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION linf_drift(drift_profile, drift_profile) IS
  'Largest absolute difference of category shares of two categorical profiles';
CREATE FUNCTION tvd_drift(baseline drift_profile, current drift_profile) RETURNS drift_result
  AS 'MODULE_PATHNAME', 'tvd_drift_profiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tvd_drift(drift_profile, drift_profile) IS
  'Total variation distance of two categorical profiles';

-- Raw samples
CREATE FUNCTION chi2_drift(baseline text[], current text[]) RETURNS drift_result
  AS 'MODULE_PATHNAME', 'chi2_drift_arrays' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION chi2_drift(text[], text[]) IS
  'Chi-square test of homogeneity of two samples of categories, as scipy.stats.chi2_contingency';
CREATE FUNCTION chi2_drift_details(baseline text[], current text[]) RETURNS chi2_details
  AS 'MODULE_PATHNAME', 'chi2_drift_details_arrays' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION chi2_drift_details(text[], text[]) IS
  'Chi-square test of two samples of categories with its degrees of freedom';
CREATE FUNCTION psi_drift(baseline text[], current text[], fill float8 DEFAULT 0.0001)
  RETURNS drift_result
  AS 'MODULE_PATHNAME', 'psi_drift_categorical_arrays' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION psi_drift(text[], text[], float8) IS
  'Population stability index of two samples of categories, zero shares replaced by fill';
CREATE FUNCTION js_drift(baseline text[], current text[]) RETURNS drift_result
  AS 'MODULE_PATHNAME', 'js_drift_categorical_arrays' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION js_drift(text[], text[]) IS
  'Jensen-Shannon distance (natural log) of the category shares of two samples';
CREATE FUNCTION linf_drift(baseline text[], current text[]) RETURNS drift_result
  AS 'MODULE_PATHNAME', 'linf_drift_arrays' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION linf_drift(text[], text[]) IS
  'Largest absolute difference of the category shares of two samples';
CREATE FUNCTION tvd_drift(baseline text[], current text[]) RETURNS drift_result
  AS 'MODULE_PATHNAME', 'tvd_drift_arrays' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tvd_drift(text[], text[]) IS
  'Total variation distance of the category shares of two samples';

-- unseen_category_share: a data-integrity rate usable over any window of rows
CREATE FUNCTION unseen_share_named_trans(drift_stream_state, text, text, text)
  RETURNS drift_stream_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION unseen_share_profile_trans(drift_stream_state, text, drift_profile)
  RETURNS drift_stream_state
  AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION unseen_category_share_final(drift_stream_state) RETURNS float8
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unseen_share_named_trans(drift_stream_state, text, text, text) IS
  'Transition function of unseen_category_share against a stored baseline';
COMMENT ON FUNCTION unseen_share_profile_trans(drift_stream_state, text, drift_profile) IS
  'Transition function of unseen_category_share against a profile';
COMMENT ON FUNCTION unseen_category_share_final(drift_stream_state) IS
  'Final function of unseen_category_share';

CREATE AGGREGATE unseen_category_share(value text, baseline text, column_name text) (
  SFUNC = unseen_share_named_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = unseen_category_share_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE unseen_category_share(text, text, text) IS
  'Share of the non-NULL rows whose category the stored baseline column never saw';

CREATE AGGREGATE unseen_category_share(value text, baseline drift_profile) (
  SFUNC = unseen_share_profile_trans,
  STYPE = drift_stream_state,
  COMBINEFUNC = drift_stream_state_combine,
  FINALFUNC = unseen_category_share_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE unseen_category_share(text, drift_profile) IS
  'Share of the non-NULL rows whose category the baseline profile never saw';
