-- zscore_drift and wasserstein_drift agree with the SciPy reference
-- (test/reference/README.md) on every case, in every form: raw arrays,
-- profile against profile, streaming against a profile and streaming against
-- a stored baseline.
-- the reference tables (loaded by an earlier test of the suite, or here)
\set ECHO none
SELECT to_regclass('ref_num') IS NULL AS need_reference \gset
\if :need_reference
\i test/sql/load_reference.sql
\endif
\set QUIET off
\set ECHO all

-- one baseline per case, named by case_id, unless an earlier test made them
DO $$
DECLARE c text;
BEGIN
  FOR c IN SELECT DISTINCT case_id FROM ref_num
            WHERE case_id NOT IN (SELECT name FROM drift.baselines) ORDER BY 1 LOOP
    PERFORM drift.capture_baseline(c, 'ref_num', columns => ARRAY['value'],
                                   filter => format('case_id = %L AND sample = %L', c, 'baseline'));
  END LOOP;
END
$$;

CREATE TEMP TABLE ref_mw AS
  SELECT case_id, metric, statistic, p_value, extra
    FROM ref_cases WHERE metric IN ('zscore', 'wasserstein');

CREATE TEMP TABLE samples AS
  SELECT case_id,
         array_agg(value ORDER BY id) FILTER (WHERE sample = 'baseline') AS b,
         array_agg(value ORDER BY id) FILTER (WHERE sample = 'current') AS c,
         drift_profile_agg(value) FILTER (WHERE sample = 'baseline') AS pb,
         drift_profile_agg(value) FILTER (WHERE sample = 'current') AS pc
    FROM ref_num GROUP BY case_id;

-- (the streaming profile form takes drift.baseline(), one in-memory profile per
-- case, rather than a profile column of a table, which would be detoasted row
-- by row)
CREATE TEMP TABLE streaming AS
  SELECT 'streaming named' AS form, n.case_id,
         zscore_drift(n.value, n.case_id, 'value') AS zscore,
         wasserstein_drift(n.value, n.case_id, 'value') AS wasserstein
    FROM ref_num n WHERE n.sample = 'current' GROUP BY n.case_id
  UNION ALL
  SELECT 'streaming profile', n.case_id,
         zscore_drift(n.value, drift.baseline(n.case_id, 'value')),
         wasserstein_drift(n.value, drift.baseline(n.case_id, 'value'))
    FROM ref_num n WHERE n.sample = 'current' GROUP BY n.case_id;

CREATE TEMP TABLE mw_forms AS
  SELECT k.case_id, k.metric, k.statistic, k.p_value, k.extra, f.form, f.r
    FROM ref_mw k JOIN samples s USING (case_id)
    CROSS JOIN LATERAL (VALUES
      ('arrays', CASE k.metric WHEN 'zscore' THEN zscore_drift(s.b, s.c)
                               ELSE wasserstein_drift(s.b, s.c) END),
      ('profiles', CASE k.metric WHEN 'zscore' THEN zscore_drift(s.pb, s.pc)
                                 ELSE wasserstein_drift(s.pb, s.pc) END)
    ) AS f(form, r)
  UNION ALL
  SELECT k.case_id, k.metric, k.statistic, k.p_value, k.extra, st.form,
         CASE k.metric WHEN 'zscore' THEN st.zscore ELSE st.wasserstein END
    FROM ref_mw k JOIN streaming st USING (case_id);

-- every reference row in every form within tolerance
SELECT metric, form, count(*) AS rows,
       count(*) FILTER (WHERE stat_ok((r).statistic, statistic)) AS statistic_ok,
       count(*) FILTER (WHERE p_ok((r).p_value, p_value)) AS p_value_ok
  FROM mw_forms GROUP BY metric, form ORDER BY metric, form;

-- any disagreement, in full (none)
SELECT case_id, metric, form, statistic AS ref_statistic, (r).statistic,
       p_value AS ref_p, (r).p_value
  FROM mw_forms
 WHERE NOT stat_ok((r).statistic, statistic) OR NOT p_ok((r).p_value, p_value)
 ORDER BY case_id, metric, form;

-- the counts are the sample sizes
SELECT count(*) AS wrong_counts
  FROM mw_forms
 WHERE (r).n_baseline <> substring(extra FROM 'n_baseline=([0-9]+)')::bigint
    OR (r).n_current <> substring(extra FROM 'n_current=([0-9]+)')::bigint;

-- the cases the reference leaves out of zscore (a sample of fewer than two
-- values, a zero or non-finite standard error) give a NULL statistic and
-- p-value in every form
SELECT s.case_id,
       (zscore_drift(s.b, s.c)).statistic IS NULL AS arrays_null,
       (zscore_drift(s.pb, s.pc)).statistic IS NULL AS profiles_null,
       (SELECT (zscore_drift(n.value, s.pb)).p_value IS NULL FROM ref_num n
         WHERE n.case_id = s.case_id AND n.sample = 'current') AS streaming_null
  FROM samples s
 WHERE s.case_id IN (SELECT case_id FROM ref_mw WHERE metric = 'wasserstein')
   AND s.case_id NOT IN (SELECT case_id FROM ref_mw WHERE metric = 'zscore')
 ORDER BY s.case_id;

-- the ill-conditioned shape (values near 1e4 with unit noise) is covered
SELECT count(*) AS offset_rows
  FROM ref_mw WHERE metric = 'zscore' AND extra LIKE '%shape=offset%';
