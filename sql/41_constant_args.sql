-- Constant aggregate arguments in every form give the same answers.
-- A streaming aggregate resolves its baseline, column, profile and options
-- once per query when they are query-constant (core/call_site.c): literals,
-- $n parameters (PREPARE, monitors, PL/pgSQL) and stable functions of them
-- such as drift.baseline(); FILTER plays no part.  Each family is run as a
-- literal over a WHERE clause (the reference), then as a PREPAREd statement,
-- with FILTER, both, and GROUP BY with FILTER, and every form must match the
-- reference exactly (same counts, same statistic, same p-value).
-- Arguments that are not constant (a correlated subquery's parameter, a
-- PL/pgSQL function called with different baselines) must still be
-- resolved per execution.
CREATE TABLE ca AS
  SELECT g AS id, g % 3 AS grp,
         CASE WHEN g % 41 = 0 THEN NULL WHEN g % 43 = 0 THEN 'NaN'::float8
              ELSE round((sin(g * 1.3) * 2 + g % 7 * 0.1)::numeric, 2)::float8 END AS x,
         CASE WHEN g % 37 = 0 THEN NULL WHEN g > 1300 AND g % 4 = 0 THEN 'e'
              ELSE (ARRAY['a', 'b', 'c', 'd', 'b'])[g % 5 + 1] END AS c,
         (g % 5 + g % 3)::float8 AS y,
         ((g * 7919) % 1000) / 1000.0 AS score,
         (g % 4 = 0 OR g % 7 = 0) AS label,
         (ARRAY['a', 'b', 'c'])[g % 3 + 1] AS pred_c,
         (ARRAY['a', 'b', 'c'])[g % 2 + 1] AS act_c,
         g <= 600 AS is_train
    FROM generate_series(1, 1500) g;
SELECT count(*) FROM drift.capture_baseline('ca_base', 'ca', columns => ARRAY['x', 'c'],
                                            filter => 'is_train', target_column => 'y');
SELECT count(*) FROM drift.capture_baseline('ca_base2', 'ca', columns => ARRAY['x', 'c'],
                                            filter => 'NOT is_train AND id % 2 = 0');

-- Each family, as one row of results: reference (literals over WHERE) vs the other forms.
CREATE FUNCTION ca_same(a anyelement, b anyelement) RETURNS boolean
  LANGUAGE sql IMMUTABLE AS $$ SELECT a IS NOT DISTINCT FROM b $$;

-- numeric streaming tests, named form with options
PREPARE ca_num(text, text, int, text, float8) AS
  SELECT ks_drift(x, $1, $2, 'less') AS ks,
         psi_drift(x, $1, $2, $3, $4, $5) AS psi,
         js_drift(x, $1, $2, $3, $4) AS js,
         hellinger_drift(x, $1, $2, $3) AS hel,
         kl_drift(x, $1, $2, $3, $4, $5) AS kl,
         zscore_drift(x, $1, $2) AS z,
         wasserstein_drift(x, $1, $2) AS w,
         null_rate_drift(x, $1, $2) AS nr,
         out_of_range_share(x, $1, $2) AS oor
    FROM ca WHERE NOT is_train;
CREATE TEMP TABLE ca_num_ref AS
  SELECT ks_drift(x, 'ca_base', 'x', 'less') AS ks,
         psi_drift(x, 'ca_base', 'x', 7, 'uniform', 0.001) AS psi,
         js_drift(x, 'ca_base', 'x', 7, 'uniform') AS js,
         hellinger_drift(x, 'ca_base', 'x', 7) AS hel,
         kl_drift(x, 'ca_base', 'x', 7, 'uniform', 0.001) AS kl,
         zscore_drift(x, 'ca_base', 'x') AS z,
         wasserstein_drift(x, 'ca_base', 'x') AS w,
         null_rate_drift(x, 'ca_base', 'x') AS nr,
         out_of_range_share(x, 'ca_base', 'x') AS oor
    FROM ca WHERE NOT is_train;
SELECT (ks).n_current, (psi).n_current, round((ks).statistic::numeric, 6) AS ks,
       round((psi).statistic::numeric, 6) AS psi, round((w).statistic::numeric, 6) AS w,
       round((nr).statistic::numeric, 6) AS nr, round(oor::numeric, 6) AS oor
  FROM ca_num_ref;
CREATE TEMP TABLE ca_num_prep AS EXECUTE ca_num('ca_base', 'x', 7, 'uniform', 0.001);
CREATE TEMP TABLE ca_num_filter AS
  SELECT ks_drift(x, 'ca_base', 'x', 'less') FILTER (WHERE NOT is_train) AS ks,
         psi_drift(x, 'ca_base', 'x', 7, 'uniform', 0.001) FILTER (WHERE NOT is_train) AS psi,
         js_drift(x, 'ca_base', 'x', 7, 'uniform') FILTER (WHERE NOT is_train) AS js,
         hellinger_drift(x, 'ca_base', 'x', 7) FILTER (WHERE NOT is_train) AS hel,
         kl_drift(x, 'ca_base', 'x', 7, 'uniform', 0.001) FILTER (WHERE NOT is_train) AS kl,
         zscore_drift(x, 'ca_base', 'x') FILTER (WHERE NOT is_train) AS z,
         wasserstein_drift(x, 'ca_base', 'x') FILTER (WHERE NOT is_train) AS w,
         null_rate_drift(x, 'ca_base', 'x') FILTER (WHERE NOT is_train) AS nr,
         out_of_range_share(x, 'ca_base', 'x') FILTER (WHERE NOT is_train) AS oor
    FROM ca;
PREPARE ca_num_pf(text, text, int, text, float8) AS
  SELECT ks_drift(x, $1, $2, 'less') FILTER (WHERE NOT is_train) AS ks,
         psi_drift(x, $1, $2, $3, $4, $5) FILTER (WHERE NOT is_train) AS psi,
         js_drift(x, $1, $2, $3, $4) FILTER (WHERE NOT is_train) AS js,
         hellinger_drift(x, $1, $2, $3) FILTER (WHERE NOT is_train) AS hel,
         kl_drift(x, $1, $2, $3, $4, $5) FILTER (WHERE NOT is_train) AS kl,
         zscore_drift(x, $1, $2) FILTER (WHERE NOT is_train) AS z,
         wasserstein_drift(x, $1, $2) FILTER (WHERE NOT is_train) AS w,
         null_rate_drift(x, $1, $2) FILTER (WHERE NOT is_train) AS nr,
         out_of_range_share(x, $1, $2) FILTER (WHERE NOT is_train) AS oor
    FROM ca;
CREATE TEMP TABLE ca_num_pf_res AS EXECUTE ca_num_pf('ca_base', 'x', 7, 'uniform', 0.001);
-- profile form: drift.baseline() of literals, and the profile as a parameter
CREATE TEMP TABLE ca_num_prof AS
  SELECT ks_drift(x, drift.baseline('ca_base', 'x'), 'less') FILTER (WHERE NOT is_train) AS ks,
         psi_drift(x, drift.baseline('ca_base', 'x'), 7, 'uniform', 0.001) FILTER (WHERE NOT is_train) AS psi,
         js_drift(x, drift.baseline('ca_base', 'x'), 7, 'uniform') FILTER (WHERE NOT is_train) AS js,
         hellinger_drift(x, drift.baseline('ca_base', 'x'), 7) FILTER (WHERE NOT is_train) AS hel,
         kl_drift(x, drift.baseline('ca_base', 'x'), 7, 'uniform', 0.001) FILTER (WHERE NOT is_train) AS kl,
         zscore_drift(x, drift.baseline('ca_base', 'x')) FILTER (WHERE NOT is_train) AS z,
         wasserstein_drift(x, drift.baseline('ca_base', 'x')) FILTER (WHERE NOT is_train) AS w,
         null_rate_drift(x, drift.baseline('ca_base', 'x')) FILTER (WHERE NOT is_train) AS nr,
         out_of_range_share(x, drift.baseline('ca_base', 'x')) FILTER (WHERE NOT is_train) AS oor
    FROM ca;
PREPARE ca_num_pp(drift_profile, int, text, float8) AS
  SELECT ks_drift(x, $1, 'less') AS ks, psi_drift(x, $1, $2, $3, $4) AS psi,
         js_drift(x, $1, $2, $3) AS js, hellinger_drift(x, $1, $2) AS hel,
         kl_drift(x, $1, $2, $3, $4) AS kl, zscore_drift(x, $1) AS z,
         wasserstein_drift(x, $1) AS w, null_rate_drift(x, $1) AS nr,
         out_of_range_share(x, $1) AS oor
    FROM ca WHERE NOT is_train;
CREATE TEMP TABLE ca_num_pp_res AS EXECUTE ca_num_pp(drift.baseline('ca_base', 'x'), 7, 'uniform', 0.001);
SELECT f.form, ca_same(r.ks, f.ks) AS ks, ca_same(r.psi, f.psi) AS psi, ca_same(r.js, f.js) AS js,
       ca_same(r.hel, f.hel) AS hel, ca_same(r.kl, f.kl) AS kl, ca_same(r.z, f.z) AS z,
       ca_same(r.w, f.w) AS w, ca_same(r.nr, f.nr) AS nr, ca_same(r.oor, f.oor) AS oor
  FROM ca_num_ref r,
       (SELECT 'prepared' AS form, * FROM ca_num_prep
        UNION ALL SELECT 'filter', * FROM ca_num_filter
        UNION ALL SELECT 'prepared+filter', * FROM ca_num_pf_res
        UNION ALL SELECT 'profile+filter', * FROM ca_num_prof
        UNION ALL SELECT 'profile parameter', * FROM ca_num_pp_res) f
 ORDER BY 1;

-- GROUP BY with FILTER and parameters: each group against the reference per group
PREPARE ca_grp(text, text) AS
  SELECT grp, ks_drift(x, $1, $2) FILTER (WHERE NOT is_train) AS ks,
         psi_drift(x, $1, $2) FILTER (WHERE NOT is_train) AS psi,
         wasserstein_drift(x, $1, $2) FILTER (WHERE NOT is_train) AS w
    FROM ca GROUP BY grp;
CREATE TEMP TABLE ca_grp_res AS EXECUTE ca_grp('ca_base', 'x');
SELECT g.grp, ca_same(g.ks, r.ks) AS ks, ca_same(g.psi, r.psi) AS psi, ca_same(g.w, r.w) AS w
  FROM ca_grp_res g
  JOIN (SELECT grp, ks_drift(x, 'ca_base', 'x') AS ks, psi_drift(x, 'ca_base', 'x') AS psi,
               wasserstein_drift(x, 'ca_base', 'x') AS w
          FROM ca WHERE NOT is_train GROUP BY grp) r USING (grp)
 ORDER BY 1;

-- categorical tests and unseen_category_share
CREATE TEMP TABLE ca_cat_ref AS
  SELECT chi2_drift(c, 'ca_base', 'c') AS chi2, (chi2_drift_details(c, 'ca_base', 'c')).dof AS dof,
         psi_drift(c, 'ca_base', 'c', 0.001) AS psi, js_drift(c, 'ca_base', 'c') AS js,
         linf_drift(c, 'ca_base', 'c') AS linf, tvd_drift(c, 'ca_base', 'c') AS tvd,
         unseen_category_share(c, 'ca_base', 'c') AS unseen, null_rate_drift(c, 'ca_base', 'c') AS nr
    FROM ca WHERE NOT is_train;
SELECT (chi2).n_current, round((chi2).statistic::numeric, 6) AS chi2, dof,
       round((psi).statistic::numeric, 6) AS psi, round(unseen::numeric, 6) AS unseen
  FROM ca_cat_ref;
PREPARE ca_cat(text, text, float8) AS
  SELECT chi2_drift(c, $1, $2) FILTER (WHERE NOT is_train) AS chi2,
         (chi2_drift_details(c, $1, $2) FILTER (WHERE NOT is_train)).dof AS dof,
         psi_drift(c, $1, $2, $3) FILTER (WHERE NOT is_train) AS psi,
         js_drift(c, $1, $2) FILTER (WHERE NOT is_train) AS js,
         linf_drift(c, $1, $2) FILTER (WHERE NOT is_train) AS linf,
         tvd_drift(c, $1, $2) FILTER (WHERE NOT is_train) AS tvd,
         unseen_category_share(c, $1, $2) FILTER (WHERE NOT is_train) AS unseen,
         null_rate_drift(c, $1, $2) FILTER (WHERE NOT is_train) AS nr
    FROM ca;
CREATE TEMP TABLE ca_cat_pf AS EXECUTE ca_cat('ca_base', 'c', 0.001);
PREPARE ca_cat_pp(drift_profile, float8) AS
  SELECT chi2_drift(c, $1) AS chi2, (chi2_drift_details(c, $1)).dof AS dof,
         psi_drift(c, $1, $2) AS psi, js_drift(c, $1) AS js, linf_drift(c, $1) AS linf,
         tvd_drift(c, $1) AS tvd, unseen_category_share(c, $1) AS unseen, null_rate_drift(c, $1) AS nr
    FROM ca WHERE NOT is_train;
CREATE TEMP TABLE ca_cat_pp_res AS EXECUTE ca_cat_pp(drift.baseline('ca_base', 'c'), 0.001);
CREATE TEMP TABLE ca_cat_prof AS
  SELECT chi2_drift(c, drift.baseline('ca_base', 'c')) FILTER (WHERE NOT is_train) AS chi2,
         (chi2_drift_details(c, drift.baseline('ca_base', 'c')) FILTER (WHERE NOT is_train)).dof AS dof,
         psi_drift(c, drift.baseline('ca_base', 'c'), 0.001) FILTER (WHERE NOT is_train) AS psi,
         js_drift(c, drift.baseline('ca_base', 'c')) FILTER (WHERE NOT is_train) AS js,
         linf_drift(c, drift.baseline('ca_base', 'c')) FILTER (WHERE NOT is_train) AS linf,
         tvd_drift(c, drift.baseline('ca_base', 'c')) FILTER (WHERE NOT is_train) AS tvd,
         unseen_category_share(c, drift.baseline('ca_base', 'c')) FILTER (WHERE NOT is_train) AS unseen,
         null_rate_drift(c, drift.baseline('ca_base', 'c')) FILTER (WHERE NOT is_train) AS nr
    FROM ca;
SELECT f.form, ca_same(r.chi2, f.chi2) AS chi2, ca_same(r.dof, f.dof) AS dof,
       ca_same(r.psi, f.psi) AS psi, ca_same(r.js, f.js) AS js, ca_same(r.linf, f.linf) AS linf,
       ca_same(r.tvd, f.tvd) AS tvd, ca_same(r.unseen, f.unseen) AS unseen, ca_same(r.nr, f.nr) AS nr
  FROM ca_cat_ref r,
       (SELECT 'prepared+filter' AS form, * FROM ca_cat_pf
        UNION ALL SELECT 'profile parameter', * FROM ca_cat_pp_res
        UNION ALL SELECT 'profile+filter', * FROM ca_cat_prof) f
 ORDER BY 1;

-- corr_drift (named baseline and baseline by value) and the metrics with a constant threshold
CREATE TEMP TABLE ca_misc_ref AS
  SELECT corr_drift(x, y, 'ca_base', 'x') AS corr, corr_drift(x, y, 0.25, 600) AS corr_v,
         binary_metrics(score, label, 0.4) AS bm
    FROM ca WHERE NOT is_train;
SELECT (corr).n_current, round((corr).statistic::numeric, 6) AS corr,
       round((corr_v).statistic::numeric, 6) AS corr_v, (bm).tp, (bm).fp
  FROM ca_misc_ref;
PREPARE ca_misc(text, text, float8, bigint, float8) AS
  SELECT corr_drift(x, y, $1, $2) FILTER (WHERE NOT is_train) AS corr,
         corr_drift(x, y, $3, $4) FILTER (WHERE NOT is_train) AS corr_v,
         binary_metrics(score, label, $5) FILTER (WHERE NOT is_train) AS bm
    FROM ca;
CREATE TEMP TABLE ca_misc_pf AS EXECUTE ca_misc('ca_base', 'x', 0.25, 600, 0.4);
SELECT ca_same(r.corr, f.corr) AS corr, ca_same(r.corr_v, f.corr_v) AS corr_v, ca_same(r.bm, f.bm) AS bm
  FROM ca_misc_ref r, ca_misc_pf f;

-- Not constant: a correlated subquery's baseline is a PARAM_EXEC, and the
-- aggregate is rescanned per outer row with its fn_extra kept: each outer
-- row must be counted against its own baseline.
SELECT b.name,
       ca_same((SELECT ks_drift(x, b.name, 'x') FROM ca WHERE NOT is_train),
               CASE b.name WHEN 'ca_base' THEN (SELECT ks_drift(x, 'ca_base', 'x') FROM ca WHERE NOT is_train)
                           ELSE (SELECT ks_drift(x, 'ca_base2', 'x') FROM ca WHERE NOT is_train) END) AS ks,
       ca_same((SELECT psi_drift(x, drift.baseline(b.name, 'x')) FROM ca WHERE NOT is_train),
               CASE b.name WHEN 'ca_base' THEN (SELECT psi_drift(x, 'ca_base', 'x') FROM ca WHERE NOT is_train)
                           ELSE (SELECT psi_drift(x, 'ca_base2', 'x') FROM ca WHERE NOT is_train) END) AS psi_profile,
       ca_same((SELECT chi2_drift(c, b.name, 'c') FROM ca WHERE NOT is_train),
               CASE b.name WHEN 'ca_base' THEN (SELECT chi2_drift(c, 'ca_base', 'c') FROM ca WHERE NOT is_train)
                           ELSE (SELECT chi2_drift(c, 'ca_base2', 'c') FROM ca WHERE NOT is_train) END) AS chi2
  FROM (VALUES ('ca_base'), ('ca_base2'), ('ca_base')) b(name)
 ORDER BY 1;
-- (the two baselines do give different answers)
SELECT (SELECT ks_drift(x, 'ca_base', 'x') FROM ca WHERE NOT is_train) IS DISTINCT FROM
       (SELECT ks_drift(x, 'ca_base2', 'x') FROM ca WHERE NOT is_train) AS baselines_differ;

-- Not constant across executions: a PL/pgSQL function's parameter is a
-- PARAM_EXTERN whose value changes between calls of its cached plan.
CREATE FUNCTION ca_ks(b text) RETURNS drift_result LANGUAGE plpgsql AS $$
BEGIN
  RETURN (SELECT ks_drift(x, b, 'x') FROM ca WHERE NOT is_train);
END $$;
SELECT ca_same(ca_ks('ca_base'), (SELECT ks_drift(x, 'ca_base', 'x') FROM ca WHERE NOT is_train)) AS first,
       ca_same(ca_ks('ca_base2'), (SELECT ks_drift(x, 'ca_base2', 'x') FROM ca WHERE NOT is_train)) AS second,
       ca_same(ca_ks('ca_base'), ca_ks('ca_base2')) AS same_for_both;

-- A baseline that varies between the rows of one group is still an error.
SELECT ks_drift(x, CASE WHEN id % 2 = 0 THEN 'ca_base' ELSE 'ca_base2' END, 'x') FROM ca;

DEALLOCATE ALL;
DROP FUNCTION ca_ks(text);
DROP FUNCTION ca_same(anyelement, anyelement);
SELECT drift.drop_baseline('ca_base');
SELECT drift.drop_baseline('ca_base2');
DROP TABLE ca;
