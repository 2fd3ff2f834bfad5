-- ks_drift agrees with scipy.stats.ks_2samp (SciPy 1.10) on every reference
-- case, in every form, within SPEC.md's tolerances (tiny p-values included).
\i test/sql/load_reference.sql

-- one baseline per case, captured from the reference table (indexed, so that
-- each capture reads only its case)
CREATE INDEX ON ref_num (case_id, sample);
ANALYZE ref_num;
DO $$
DECLARE c text;
BEGIN
  FOR c IN SELECT DISTINCT case_id FROM ref_ks ORDER BY 1 LOOP
    PERFORM drift.capture_baseline(c, 'ref_num', columns => ARRAY['value'],
                                   filter => format('case_id = %L AND sample = %L', c, 'baseline'));
  END LOOP;
END
$$;

CREATE TEMP TABLE ks_forms AS
WITH samples AS (
  SELECT case_id,
         array_agg(value ORDER BY id) FILTER (WHERE sample = 'baseline') AS b,
         array_agg(value ORDER BY id) FILTER (WHERE sample = 'current') AS c,
         drift_profile_agg(value) FILTER (WHERE sample = 'baseline') AS pb,
         drift_profile_agg(value) FILTER (WHERE sample = 'current') AS pc
    FROM ref_num WHERE case_id IN (SELECT case_id FROM ref_ks) GROUP BY case_id),
streaming_named AS (
  SELECT n.case_id, k.alternative, ks_drift(n.value, n.case_id, 'value', k.alternative) AS r
    FROM ref_num n JOIN (SELECT DISTINCT case_id, alternative FROM ref_ks) k USING (case_id)
   WHERE n.sample = 'current' GROUP BY n.case_id, k.alternative),
streaming_profile AS (
  SELECT n.case_id, k.alternative, ks_drift(n.value, s.pb, k.alternative) AS r
    FROM ref_num n JOIN samples s USING (case_id)
    JOIN (SELECT DISTINCT case_id, alternative FROM ref_ks) k USING (case_id)
   WHERE n.sample = 'current' GROUP BY n.case_id, k.alternative)
SELECT k.case_id, k.alternative, k.statistic, k.p_value, form, r
  FROM ref_ks k JOIN samples s USING (case_id)
  CROSS JOIN LATERAL (VALUES
    ('arrays', ks_drift(s.b, s.c, k.alternative)),
    ('profiles', ks_drift(s.pb, s.pc, k.alternative)),
    ('streaming named', (SELECT r FROM streaming_named n
                          WHERE n.case_id = k.case_id AND n.alternative = k.alternative)),
    ('streaming profile', (SELECT r FROM streaming_profile n
                            WHERE n.case_id = k.case_id AND n.alternative = k.alternative))
  ) AS f(form, r);

-- every row of every form within tolerance
SELECT form, count(*) AS rows,
       count(*) FILTER (WHERE stat_ok((r).statistic, statistic)) AS statistic_ok,
       count(*) FILTER (WHERE p_ok((r).p_value, p_value)) AS p_value_ok
  FROM ks_forms GROUP BY form ORDER BY form;

-- any disagreement, in full
SELECT case_id, alternative, form, statistic AS ref_statistic, (r).statistic,
       p_value AS ref_p, (r).p_value
  FROM ks_forms
 WHERE NOT stat_ok((r).statistic, statistic) OR NOT p_ok((r).p_value, p_value)
 ORDER BY case_id, alternative, form;

-- the counts are the sample sizes
SELECT count(*) AS wrong_counts
  FROM ks_forms f JOIN ref_ks k USING (case_id, alternative)
 WHERE (r).n_baseline <> substring(k.extra FROM 'n_baseline=([0-9]+)')::bigint
    OR (r).n_current <> substring(k.extra FROM 'n_current=([0-9]+)')::bigint;

-- the reference covers every method SciPy uses, and so do these checks
SELECT substring(extra FROM 'method=([a-z_]+)') AS method, alternative, count(*)
  FROM ref_ks GROUP BY 1, 2 ORDER BY 1, 2;
