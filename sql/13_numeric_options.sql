-- Options of the numeric drift tests, checked against values computed here
-- independently in plain SQL: quantile edges (NumPy's formula), uniform
-- (equal-width) edges, zero fill for psi and kl, any number of bins; and the
-- four forms agree with each other for every option.
CREATE TABLE numopt AS
  SELECT g AS id, s.sample,
         CASE s.sample
           WHEN 'baseline' THEN round((sin(g * 1.7) * 3 + cos(g * 0.3))::numeric, 2)::float8
           ELSE round((sin(g * 2.3) * 3.5 + 0.4 + cos(g * 0.7))::numeric, 1)::float8 END AS v
    FROM generate_series(1, 700) g
    CROSS JOIN LATERAL (SELECT CASE WHEN g <= 400 THEN 'baseline' ELSE 'current' END AS sample) s;
SELECT count(*) FROM drift.capture_baseline('numopt_base', 'numopt', columns => ARRAY['v'],
                                            filter => $$sample = 'baseline'$$);

-- the tolerance of SPEC.md for statistics
CREATE FUNCTION num_ok(impl float8, ref float8) RETURNS boolean
  LANGUAGE sql IMMUTABLE AS
$$ SELECT abs(impl - ref) <= greatest(1e-9 * abs(ref), 1e-12) $$;

-- the reference implementation, in SQL
CREATE FUNCTION ref_quantile_edges(b float8[], bins int) RETURNS float8[]
  LANGUAGE sql IMMUTABLE AS $$
  WITH x AS (SELECT array_agg(v ORDER BY v) AS s, count(*) AS n FROM unnest(b) v),
       e AS (SELECT CASE WHEN h >= n - 1 THEN s[n]
                         WHEN h - floor(h) >= 0.5
                           THEN s[floor(h)::int + 2] - (s[floor(h)::int + 2] - s[floor(h)::int + 1]) * (1 - (h - floor(h)))
                         ELSE s[floor(h)::int + 1] + (s[floor(h)::int + 2] - s[floor(h)::int + 1]) * (h - floor(h)) END AS edge
               FROM x, generate_series(1, bins - 1) i,
                    LATERAL (SELECT (n - 1)::float8 * (i::float8 / bins::float8) AS h) hh)
  SELECT coalesce(array_agg(DISTINCT edge ORDER BY edge), '{}') FROM e
$$;
CREATE FUNCTION ref_uniform_edges(b float8[], bins int) RETURNS float8[]
  LANGUAGE sql IMMUTABLE AS $$
  WITH r AS (SELECT min(v) AS lo, max(v) AS hi FROM unnest(b) v)
  SELECT coalesce(array_agg(DISTINCT i * ((hi - lo) / bins) + lo ORDER BY i * ((hi - lo) / bins) + lo), '{}')
    FROM r, generate_series(1, bins - 1) i
$$;
-- proportions per bin: bin index = number of edges strictly below the value
CREATE FUNCTION ref_props(x float8[], edges float8[])
  RETURNS TABLE (bin int, p float8) LANGUAGE sql IMMUTABLE AS $$
  SELECT k, coalesce(c, 0)::float8 / cardinality(x)
    FROM generate_series(0, coalesce(cardinality(edges), 0)) k
    LEFT JOIN (SELECT (SELECT count(*) FROM unnest(edges) e WHERE e < v)::int AS bin, count(*) AS c
                 FROM unnest(x) v GROUP BY 1) cnt ON cnt.bin = k
$$;
CREATE FUNCTION ref_binned(metric text, b float8[], c float8[], edges float8[], fill float8)
  RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
  WITH p AS (SELECT pb.bin, pb.p AS pb, pc.p AS pc
               FROM ref_props(b, edges) pb JOIN ref_props(c, edges) pc USING (bin)),
       f AS (SELECT bin, pb, pc,
                    CASE WHEN pb = 0 THEN fill ELSE pb END AS fb,
                    CASE WHEN pc = 0 THEN fill ELSE pc END AS fc FROM p),
       t AS (SELECT sum(fb) AS sb, sum(fc) AS sc FROM f)
  SELECT CASE metric
    WHEN 'psi' THEN (SELECT sum((fc - fb) * ln(fc / fb)) FROM f)
    WHEN 'kl' THEN (SELECT sum(fc / sc * ln((fc / sc) / (fb / sb))) FROM f, t)
    WHEN 'hellinger' THEN (SELECT sqrt(0.5 * sum((sqrt(pb) - sqrt(pc)) ^ 2)) FROM f)
    WHEN 'js' THEN (SELECT sqrt(sum(CASE WHEN pb > 0 THEN pb * ln(pb / ((pb + pc) / 2)) ELSE 0 END
                                  + CASE WHEN pc > 0 THEN pc * ln(pc / ((pb + pc) / 2)) ELSE 0 END) / 2)
                      FROM f) END
$$;

CREATE TEMP TABLE samples AS
  SELECT array_agg(v ORDER BY id) FILTER (WHERE sample = 'baseline') AS b,
         array_agg(v ORDER BY id) FILTER (WHERE sample = 'current') AS c,
         drift_profile_agg(v) FILTER (WHERE sample = 'baseline') AS pb,
         drift_profile_agg(v) FILTER (WHERE sample = 'current') AS pc
    FROM numopt;

-- the data put many values exactly on edges and leave bins empty on either side
SELECT bins,
       (SELECT count(*) FROM unnest(b) v WHERE v = ANY (ref_quantile_edges(b, bins))) AS baseline_on_edges,
       (SELECT count(*) FROM unnest(c) v WHERE v = ANY (ref_quantile_edges(b, bins))) AS current_on_edges,
       cardinality(ref_quantile_edges(b, bins)) AS quantile_edges,
       cardinality(ref_uniform_edges(b, bins)) AS uniform_edges,
       (SELECT count(*) FROM ref_props(c, ref_uniform_edges(b, bins)) WHERE p = 0) AS empty_current_uniform,
       (SELECT count(*) FROM ref_props(b, ref_uniform_edges(b, bins)) WHERE p = 0) AS empty_baseline_uniform
  FROM samples, (VALUES (1), (3), (10), (50), (400)) AS o(bins) ORDER BY bins;

-- every metric, binning, bin count and fill in every form
CREATE TEMP TABLE opt_cases AS
  SELECT m.metric, o.binning, o.bins, f.fill
    FROM (VALUES ('psi'), ('js'), ('hellinger'), ('kl')) m(metric),
         (VALUES ('quantile'), ('uniform')) o0(binning),
         LATERAL (VALUES (o0.binning, 1), (o0.binning, 3), (o0.binning, 10), (o0.binning, 50),
                         (o0.binning, 400)) o(binning, bins),
         LATERAL (SELECT unnest(CASE WHEN m.metric IN ('psi', 'kl')
                                     THEN ARRAY[0.0001, 0.001, 0.05, 1]::float8[]
                                     ELSE ARRAY[0.0001]::float8[] END) AS fill) f;

CREATE FUNCTION opt_arrays(metric text, b float8[], c float8[], bins int, binning text, fill float8)
  RETURNS drift_result LANGUAGE sql AS $$
  SELECT CASE metric
    WHEN 'psi' THEN psi_drift(b, c, bins => bins, binning => binning, fill => fill)
    WHEN 'kl' THEN kl_drift(b, c, bins => bins, binning => binning, fill => fill)
    WHEN 'js' THEN js_drift(b, c, bins => bins, binning => binning)
    ELSE hellinger_drift(b, c, bins => bins, binning => binning) END
$$;
CREATE FUNCTION opt_profiles(metric text, b drift_profile, c drift_profile, bins int, binning text, fill float8)
  RETURNS drift_result LANGUAGE sql AS $$
  SELECT CASE metric
    WHEN 'psi' THEN psi_drift(b, c, bins => bins, binning => binning, fill => fill)
    WHEN 'kl' THEN kl_drift(b, c, bins => bins, binning => binning, fill => fill)
    WHEN 'js' THEN js_drift(b, c, bins => bins, binning => binning)
    ELSE hellinger_drift(b, c, bins => bins, binning => binning) END
$$;

CREATE TEMP TABLE opt_results AS
  SELECT o.*, ref_binned(o.metric, s.b, s.c,
                         CASE o.binning WHEN 'quantile' THEN ref_quantile_edges(s.b, o.bins)
                                        ELSE ref_uniform_edges(s.b, o.bins) END, o.fill) AS expected,
         opt_arrays(o.metric, s.b, s.c, o.bins, o.binning, o.fill) AS arrays,
         opt_profiles(o.metric, s.pb, s.pc, o.bins, o.binning, o.fill) AS profiles,
         (SELECT CASE o.metric
                   WHEN 'psi' THEN psi_drift(n.v, 'numopt_base', 'v', o.bins, o.binning, o.fill)
                   WHEN 'kl' THEN kl_drift(n.v, 'numopt_base', 'v', o.bins, o.binning, o.fill)
                   WHEN 'js' THEN js_drift(n.v, 'numopt_base', 'v', o.bins, o.binning)
                   ELSE hellinger_drift(n.v, 'numopt_base', 'v', o.bins, o.binning) END
            FROM numopt n WHERE n.sample = 'current') AS streaming_named,
         (SELECT CASE o.metric
                   WHEN 'psi' THEN psi_drift(n.v, s.pb, o.bins, o.binning, o.fill)
                   WHEN 'kl' THEN kl_drift(n.v, s.pb, o.bins, o.binning, o.fill)
                   WHEN 'js' THEN js_drift(n.v, s.pb, o.bins, o.binning)
                   ELSE hellinger_drift(n.v, s.pb, o.bins, o.binning) END
            FROM numopt n WHERE n.sample = 'current') AS streaming_profile
    FROM opt_cases o, samples s;

SELECT metric, binning, count(*) AS cases,
       count(*) FILTER (WHERE num_ok((arrays).statistic, expected)) AS matches_sql,
       count(*) FILTER (WHERE arrays = profiles AND arrays = streaming_named
                          AND arrays = streaming_profile) AS forms_identical,
       count(*) FILTER (WHERE (arrays).statistic > 0) AS positive
  FROM opt_results GROUP BY metric, binning ORDER BY metric, binning;

-- any disagreement, in full (none)
SELECT metric, binning, bins, fill, expected, (arrays).statistic, (profiles).statistic,
       (streaming_named).statistic, (streaming_profile).statistic
  FROM opt_results
 WHERE NOT num_ok((arrays).statistic, expected)
    OR NOT (arrays = profiles AND arrays = streaming_named AND arrays = streaming_profile)
 ORDER BY metric, binning, bins, fill;

-- constant baseline and option arguments are resolved once per query (a
-- faster path); it gives the same answers as the other forms
SELECT pb::text AS pb_text FROM samples \gset
SELECT psi_drift(v, 'numopt_base', 'v', 50, 'uniform', 0.01) = (SELECT psi_drift(b, c, 50, 'uniform', 0.01) FROM samples) AS psi,
       kl_drift(v, 'numopt_base', 'v') = (SELECT kl_drift(b, c) FROM samples) AS kl,
       js_drift(v, 'numopt_base', 'v', 3) = (SELECT js_drift(b, c, 3) FROM samples) AS js,
       hellinger_drift(v, :'pb_text'::drift_profile, 400, 'quantile') = (SELECT hellinger_drift(b, c, 400) FROM samples) AS hellinger_profile,
       psi_drift(v, :'pb_text'::drift_profile) = (SELECT psi_drift(b, c) FROM samples) AS psi_profile,
       num_ok((zscore_drift(v, 'numopt_base', 'v')).statistic, (SELECT (zscore_drift(pb, pc)).statistic FROM samples)) AS zscore,
       wasserstein_drift(v, :'pb_text'::drift_profile) = (SELECT wasserstein_drift(b, c) FROM samples) AS wasserstein
  FROM numopt WHERE sample = 'current';

-- one bin: every distance is 0; the fill changes psi and kl exactly where bins are empty
SELECT metric, (arrays).statistic FROM opt_results WHERE bins = 1 AND fill = 0.0001
 ORDER BY metric, binning;
SELECT metric, binning, bins, count(DISTINCT (arrays).statistic) AS distinct_values_over_fills
  FROM opt_results WHERE metric IN ('psi', 'kl') AND bins IN (3, 50)
 GROUP BY metric, binning, bins ORDER BY metric, binning, bins;

-- the defaults are bins => 10, binning => 'quantile', fill => 0.0001
SELECT psi_drift(b, c) = psi_drift(b, c, 10, 'quantile', 0.0001) AS psi_defaults,
       kl_drift(pb, pc) = kl_drift(pb, pc, bins => 10, binning => 'quantile', fill => 0.0001) AS kl_defaults,
       js_drift(b, c) = js_drift(b, c, binning => 'QUANTILE') AS js_defaults,
       hellinger_drift(pb, pc) = hellinger_drift(pb, pc, 10) AS hellinger_defaults
  FROM samples;

-- a baseline of 11 values and 10 bins: every edge is a data point, which the
-- right-closed rule puts in the lower bin, so the first bin holds 0 and 1
SELECT (psi_drift(ARRAY[0,1,2,3,4,5,6,7,8,9,10]::float8[], ARRAY[0,1,2,3,4,5,6,7,8,9,10]::float8[])).statistic AS same_sample,
       round((psi_drift(ARRAY[0,1,2,3,4,5,6,7,8,9,10]::float8[], ARRAY[1,2,3,4,5,6,7,8,9,10]::float8[])).statistic::numeric, 12) AS without_0,
       round(((0.1 - 2 / 11.0) * ln(0.1 / (2 / 11.0))
              + 9 * (0.1 - 1 / 11.0) * ln(0.1 / (1 / 11.0)))::numeric, 12) AS by_hand;

-- uniform bins: the edge of 2 bins over [0, 10] is 5, right-closed; values
-- outside the baseline's range fall in the outer bins
WITH u AS (SELECT ARRAY[0, 10, 10]::float8[] AS b)
SELECT psi_drift(b, '{5}', bins => 2, binning => 'uniform') = psi_drift(b, '{0}', bins => 2, binning => 'uniform') AS five_with_zero,
       psi_drift(b, '{5.000000001}', bins => 2, binning => 'uniform') = psi_drift(b, '{10}', bins => 2, binning => 'uniform') AS above_with_ten,
       psi_drift(b, '{5}', bins => 2, binning => 'uniform') <> psi_drift(b, '{10}', bins => 2, binning => 'uniform') AS bins_differ,
       psi_drift(b, '{-1e9, 1e9, 1e300}', bins => 2, binning => 'uniform') = psi_drift(b, '{0, 10, 10}', bins => 2, binning => 'uniform') AS outside_like_extremes,
       (psi_drift(b, '{-1e9, 1e9, 1e300}', bins => 2, binning => 'uniform')).statistic AS zero
  FROM u;

-- zscore_drift and wasserstein_drift against plain SQL on the same data
SELECT abs((zscore_drift(b, c)).statistic
           - ((SELECT avg(v) FROM unnest(c) v) - (SELECT avg(v) FROM unnest(b) v))
             / sqrt((SELECT var_samp(v) FROM unnest(b) v) / cardinality(b)
                    + (SELECT var_samp(v) FROM unnest(c) v) / cardinality(c))) < 1e-12 AS zscore_matches_sql,
       (zscore_drift(b, c)).p_value BETWEEN 0 AND 1 AS p_value_in_range,
       zscore_drift(b, c) = zscore_drift(pb, pc) AS zscore_forms,
       wasserstein_drift(b, c) = wasserstein_drift(pb, pc) AS wasserstein_forms
  FROM samples;
-- W is the area between the ECDFs: integrate |F_b - F_c| over the pooled values
WITH s AS (SELECT b, c FROM samples),
     pts AS (SELECT DISTINCT v FROM s, unnest(b || c) v),
     steps AS (SELECT v, lead(v) OVER (ORDER BY v) AS nxt,
                      (SELECT count(*) FROM s, unnest(b) x WHERE x <= v)::float8 / (SELECT cardinality(b) FROM s) AS fb,
                      (SELECT count(*) FROM s, unnest(c) x WHERE x <= v)::float8 / (SELECT cardinality(c) FROM s) AS fc
                 FROM pts)
SELECT num_ok((SELECT (wasserstein_drift(b, c)).statistic FROM samples),
               sum(abs(fb - fc) * (nxt - v))) AS wasserstein_matches_sql
  FROM steps WHERE nxt IS NOT NULL;
