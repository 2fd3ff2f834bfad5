-- The categorical tests agree with SciPy 1.10 (chi2_contingency, and the
-- categorical psi / js / linf / tvd conventions of test/reference/README.md)
-- on every reference case, in every form, within SPEC.md's tolerances.
-- (load the reference unless an earlier test of this run already did)
SELECT to_regprocedure('p_ok(float8,float8)') IS NULL AS need_reference \gset
\if :need_reference
\i test/sql/load_reference.sql
\endif
\set QUIET on
SET client_min_messages = warning;
CREATE TABLE ref_cat AS
  SELECT id, case_id, sample, value FROM ref_samples WHERE case_id LIKE '%-cat-%';
ANALYZE ref_cat;
CREATE TABLE ref_cat_rows AS
  SELECT case_id, metric, params, statistic, p_value, extra,
         CASE metric WHEN 'psi_cat' THEN substring(params FROM 'fill=(.*)')::float8 END AS fill
    FROM ref_cases WHERE case_id LIKE '%-cat-%';
-- one baseline per case
DO $$
DECLARE c text;
BEGIN
  FOR c IN SELECT DISTINCT case_id FROM ref_cat ORDER BY 1 LOOP
    PERFORM drift.capture_baseline(c, 'ref_cat', columns => ARRAY['value'],
                                   filter => format('case_id = %L AND sample = %L', c, 'baseline'));
  END LOOP;
END
$$;
RESET client_min_messages;
\set QUIET off

-- the reference covers these metrics
SELECT metric, params, count(*) FROM ref_cat_rows GROUP BY 1, 2 ORDER BY 1, 2;

CREATE TEMP TABLE cat_forms AS
WITH samples AS (
  SELECT case_id,
         array_agg(value ORDER BY id) FILTER (WHERE sample = 'baseline') AS b,
         array_agg(value ORDER BY id) FILTER (WHERE sample = 'current') AS c,
         drift_profile_agg(value) FILTER (WHERE sample = 'baseline') AS pb,
         drift_profile_agg(value) FILTER (WHERE sample = 'current') AS pc
    FROM ref_cat GROUP BY case_id),
streaming_named AS (
  SELECT case_id,
         chi2_drift(value, case_id, 'value') AS chi2,
         psi_drift(value, case_id, 'value', 0.0001) AS psi_cat,
         js_drift(value, case_id, 'value') AS js_cat,
         linf_drift(value, case_id, 'value') AS linf,
         tvd_drift(value, case_id, 'value') AS tvd
    FROM ref_cat WHERE sample = 'current' GROUP BY case_id),
streaming_profile AS (
  SELECT n.case_id,
         chi2_drift(n.value, drift.baseline(n.case_id, 'value')) AS chi2,
         psi_drift(n.value, drift.baseline(n.case_id, 'value'), 0.0001) AS psi_cat,
         js_drift(n.value, drift.baseline(n.case_id, 'value')) AS js_cat,
         linf_drift(n.value, drift.baseline(n.case_id, 'value')) AS linf,
         tvd_drift(n.value, drift.baseline(n.case_id, 'value')) AS tvd
    FROM ref_cat n WHERE n.sample = 'current' GROUP BY n.case_id)
SELECT k.case_id, k.metric, k.statistic, k.p_value, k.extra, form, r
  FROM ref_cat_rows k JOIN samples s USING (case_id)
  JOIN streaming_named sn USING (case_id)
  JOIN streaming_profile sp USING (case_id)
  CROSS JOIN LATERAL (VALUES
    ('arrays', CASE k.metric
                 WHEN 'chi2' THEN chi2_drift(s.b, s.c)
                 WHEN 'psi_cat' THEN psi_drift(s.b, s.c, fill => k.fill)
                 WHEN 'js_cat' THEN js_drift(s.b, s.c)
                 WHEN 'linf' THEN linf_drift(s.b, s.c)
                 WHEN 'tvd' THEN tvd_drift(s.b, s.c) END),
    ('profiles', CASE k.metric
                 WHEN 'chi2' THEN chi2_drift(s.pb, s.pc)
                 WHEN 'linf' THEN linf_drift(s.pb, s.pc)
                 WHEN 'tvd' THEN tvd_drift(s.pb, s.pc) END),
    ('streaming named', CASE k.metric WHEN 'chi2' THEN sn.chi2 WHEN 'psi_cat' THEN sn.psi_cat
                 WHEN 'js_cat' THEN sn.js_cat WHEN 'linf' THEN sn.linf WHEN 'tvd' THEN sn.tvd END),
    ('streaming profile', CASE k.metric WHEN 'chi2' THEN sp.chi2 WHEN 'psi_cat' THEN sp.psi_cat
                 WHEN 'js_cat' THEN sp.js_cat WHEN 'linf' THEN sp.linf WHEN 'tvd' THEN sp.tvd END)
  ) AS f(form, r)
 WHERE r IS NOT NULL OR form <> 'profiles';

-- every row of every form within tolerance (distances have a NULL p-value)
SELECT metric, form, count(*) AS rows,
       count(*) FILTER (WHERE stat_ok((r).statistic, statistic)) AS statistic_ok,
       count(*) FILTER (WHERE p_ok((r).p_value, p_value)) AS p_value_ok
  FROM cat_forms GROUP BY metric, form ORDER BY metric, form;

-- any disagreement, in full
SELECT case_id, metric, form, statistic AS ref_statistic, (r).statistic,
       p_value AS ref_p, (r).p_value
  FROM cat_forms
 WHERE NOT stat_ok((r).statistic, statistic) OR NOT p_ok((r).p_value, p_value)
 ORDER BY case_id, metric, form;

-- the counts are the sample sizes
SELECT count(*) AS wrong_counts
  FROM cat_forms
 WHERE (r).n_baseline <> substring(extra FROM 'n_baseline=([0-9]+)')::bigint
    OR (r).n_current <> substring(extra FROM 'n_current=([0-9]+)')::bigint;

-- chi2_drift_details: same statistic and p-value, and the reference's dof, in every form
WITH samples AS (
  SELECT case_id,
         array_agg(value ORDER BY id) FILTER (WHERE sample = 'baseline') AS b,
         array_agg(value ORDER BY id) FILTER (WHERE sample = 'current') AS c,
         drift_profile_agg(value) FILTER (WHERE sample = 'baseline') AS pb,
         drift_profile_agg(value) FILTER (WHERE sample = 'current') AS pc
    FROM ref_cat GROUP BY case_id),
named AS (
  SELECT case_id, chi2_drift_details(value, case_id, 'value') AS d
    FROM ref_cat WHERE sample = 'current' GROUP BY case_id),
details AS (
  SELECT k.case_id, k.statistic, k.p_value,
         substring(k.extra FROM 'dof=([0-9]+)')::bigint AS dof, f.form, f.d
    FROM ref_cat_rows k JOIN samples s USING (case_id) JOIN named n USING (case_id)
    CROSS JOIN LATERAL (VALUES ('arrays', chi2_drift_details(s.b, s.c)),
                               ('profiles', chi2_drift_details(s.pb, s.pc)),
                               ('streaming named', n.d),
                               ('streaming profile',
                                (SELECT chi2_drift_details(x.value, s.pb) FROM ref_cat x
                                  WHERE x.case_id = k.case_id AND x.sample = 'current'))) f(form, d)
   WHERE k.metric = 'chi2')
SELECT form, count(*) AS rows,
       count(*) FILTER (WHERE stat_ok((d).statistic, statistic) AND p_ok((d).p_value, p_value)
                          AND (d).dof = dof) AS all_ok
  FROM details GROUP BY form ORDER BY form;

-- the case without a chi2 row (one category in the union): SciPy 1.10 would
-- give statistic 0, p-value 1, dof 0, and so do we
SELECT case_id, (chi2_drift_details(array_agg(value) FILTER (WHERE sample = 'baseline'),
                                    array_agg(value) FILTER (WHERE sample = 'current'))).*
  FROM ref_cat
 WHERE case_id NOT IN (SELECT case_id FROM ref_cat_rows WHERE metric = 'chi2')
 GROUP BY case_id ORDER BY case_id;
