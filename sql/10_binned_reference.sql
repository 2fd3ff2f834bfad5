-- psi_drift, js_drift, hellinger_drift and kl_drift agree with the NumPy /
-- SciPy reference (test/reference/README.md) on every case and bin count, in
-- every form: raw arrays, profile against profile, streaming against a
-- profile and streaming against a stored baseline.
-- the reference tables (loaded by an earlier test of the suite, or here)
\set ECHO none
SELECT to_regclass('ref_num') IS NULL AS need_reference \gset
\if :need_reference
\i test/sql/load_reference.sql
\endif
\set QUIET off
\set ECHO all

-- one baseline per case, named by case_id (04_ks_reference may have made them)
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

CREATE TEMP TABLE ref_binned AS
  SELECT case_id, metric, substring(params FROM 'bins=([0-9]+)')::int AS bins,
         statistic, p_value, extra
    FROM ref_cases WHERE metric IN ('psi', 'js', 'hellinger', 'kl');

CREATE TEMP TABLE samples AS
  SELECT case_id,
         array_agg(value ORDER BY id) FILTER (WHERE sample = 'baseline') AS b,
         array_agg(value ORDER BY id) FILTER (WHERE sample = 'current') AS c,
         drift_profile_agg(value) FILTER (WHERE sample = 'baseline') AS pb,
         drift_profile_agg(value) FILTER (WHERE sample = 'current') AS pc
    FROM ref_num GROUP BY case_id;

-- the streaming forms: the four aggregates over the same rows (they share one state)
-- (the streaming profile form takes drift.baseline(), one in-memory profile per
-- case, rather than a profile column of a table, which would be detoasted row
-- by row)
CREATE TEMP TABLE streaming AS
  SELECT 'streaming named' AS form, n.case_id, k.bins,
         psi_drift(n.value, n.case_id, 'value', k.bins) AS psi,
         js_drift(n.value, n.case_id, 'value', k.bins) AS js,
         hellinger_drift(n.value, n.case_id, 'value', k.bins) AS hellinger,
         kl_drift(n.value, n.case_id, 'value', k.bins) AS kl
    FROM ref_num n JOIN (SELECT DISTINCT case_id, bins FROM ref_binned) k USING (case_id)
   WHERE n.sample = 'current' GROUP BY n.case_id, k.bins
  UNION ALL
  SELECT 'streaming profile', n.case_id, k.bins,
         psi_drift(n.value, drift.baseline(n.case_id, 'value'), k.bins),
         js_drift(n.value, drift.baseline(n.case_id, 'value'), k.bins),
         hellinger_drift(n.value, drift.baseline(n.case_id, 'value'), k.bins),
         kl_drift(n.value, drift.baseline(n.case_id, 'value'), k.bins)
    FROM ref_num n JOIN (SELECT DISTINCT case_id, bins FROM ref_binned) k USING (case_id)
   WHERE n.sample = 'current' GROUP BY n.case_id, k.bins;

CREATE TEMP TABLE binned_forms AS
  SELECT k.case_id, k.metric, k.bins, k.statistic, k.extra, f.form, f.r
    FROM ref_binned k JOIN samples s USING (case_id)
    CROSS JOIN LATERAL (VALUES
      ('arrays', CASE k.metric
                   WHEN 'psi' THEN psi_drift(s.b, s.c, bins => k.bins)
                   WHEN 'js' THEN js_drift(s.b, s.c, bins => k.bins)
                   WHEN 'hellinger' THEN hellinger_drift(s.b, s.c, bins => k.bins)
                   WHEN 'kl' THEN kl_drift(s.b, s.c, bins => k.bins) END),
      ('profiles', CASE k.metric
                   WHEN 'psi' THEN psi_drift(s.pb, s.pc, bins => k.bins)
                   WHEN 'js' THEN js_drift(s.pb, s.pc, bins => k.bins)
                   WHEN 'hellinger' THEN hellinger_drift(s.pb, s.pc, bins => k.bins)
                   WHEN 'kl' THEN kl_drift(s.pb, s.pc, bins => k.bins) END)
    ) AS f(form, r)
  UNION ALL
  SELECT k.case_id, k.metric, k.bins, k.statistic, k.extra, st.form,
         CASE k.metric WHEN 'psi' THEN st.psi WHEN 'js' THEN st.js
                       WHEN 'hellinger' THEN st.hellinger WHEN 'kl' THEN st.kl END
    FROM ref_binned k JOIN streaming st USING (case_id, bins);

-- every reference row in every form within tolerance
SELECT metric, bins, form, count(*) AS rows,
       count(*) FILTER (WHERE stat_ok((r).statistic, statistic)) AS statistic_ok,
       count(*) FILTER (WHERE (r).p_value IS NULL) AS p_value_null
  FROM binned_forms GROUP BY metric, bins, form ORDER BY metric, bins, form;

-- any disagreement, in full (none)
SELECT case_id, metric, bins, form, statistic AS ref_statistic, (r).statistic
  FROM binned_forms
 WHERE NOT stat_ok((r).statistic, statistic)
 ORDER BY case_id, metric, bins, form;

-- the counts are the sample sizes
SELECT count(*) AS wrong_counts
  FROM binned_forms
 WHERE (r).n_baseline <> substring(extra FROM 'n_baseline=([0-9]+)')::bigint
    OR (r).n_current <> substring(extra FROM 'n_current=([0-9]+)')::bigint;

-- the cases that put observations on (or one ulp beside) an edge are among them
SELECT count(DISTINCT case_id) AS cases, count(*) AS rows,
       count(*) FILTER (WHERE substring(extra FROM 'n_bins=([0-9]+)')::int < bins) AS rows_with_merged_edges
  FROM ref_binned;
