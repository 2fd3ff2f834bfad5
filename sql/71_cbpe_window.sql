-- estimated_binary_metrics as a moving-window aggregate (inverse
-- transition) agrees with the aggregate recomputed on each frame, for ROWS
-- and RANGE frames, per partition, with NULL and NaN scores, ties, and
-- scores outside the calibration's range; and per GROUP BY slice with the
-- whole.  Uses the tables of 70_cbpe_reference.
\set QUIET on
CREATE FUNCTION pg_temp.same(a estimated_binary_metrics_result, b estimated_binary_metrics_result)
  RETURNS boolean LANGUAGE sql IMMUTABLE AS
$$ SELECT a.n = b.n AND
          (SELECT bool_and(x IS NOT DISTINCT FROM y
                           OR abs(x - y) <= greatest(1e-12 * abs(y), 1e-15))
             FROM unnest(ARRAY[a.accuracy, a.precision, a.recall, a.specificity, a.f1, a.roc_auc],
                         ARRAY[b.accuracy, b.precision, b.recall, b.specificity, b.f1, b.roc_auc])
                  AS u(x, y)) $$;
-- two cases' current rows, with NULL and NaN scores, rounded scores (ties)
-- and scores beyond the baseline's range mixed in
CREATE TABLE cb_win AS
  SELECT id, case_id,
         CASE WHEN id % 97 = 0 THEN NULL WHEN id % 89 = 0 THEN 'NaN'::float8
              WHEN id % 7 = 0 THEN round(score::numeric, 1)::float8
              WHEN id % 83 = 0 THEN 1.5 WHEN id % 79 = 0 THEN -0.5
              ELSE score END AS score
    FROM cb_current WHERE case_id IN ('pub-cbpe-0001', 'pub-cbpe-0006');
ANALYZE cb_win;
\set QUIET off

SELECT count(*) AS frames,
       count(*) FILTER (WHERE pg_temp.same(w.m, f.m)) AS same,
       count(DISTINCT (w.m).n) > 1 AS frames_differ
  FROM (SELECT id, case_id,
               estimated_binary_metrics(score, 0.5, case_id, 'score')
                 OVER (PARTITION BY case_id ORDER BY id ROWS 40 PRECEDING) AS m
          FROM cb_win) w,
       LATERAL (SELECT estimated_binary_metrics(score, 0.5, w.case_id, 'score') AS m
                  FROM (SELECT * FROM cb_win x WHERE x.case_id = w.case_id AND x.id <= w.id
                         ORDER BY x.id DESC LIMIT 41) fr) f;

-- the calibration-value form over a RANGE frame on the score itself (ties enter and leave together)
SELECT count(*) AS frames,
       count(*) FILTER (WHERE pg_temp.same(w.m, f.m)) AS same
  FROM (SELECT id, score,
               estimated_binary_metrics(score, 0.5, c.cal)
                 OVER (ORDER BY score RANGE BETWEEN 0.05 PRECEDING AND 0.02 FOLLOWING) AS m
          FROM cb_win JOIN cb_cal c USING (case_id)
         WHERE case_id = 'pub-cbpe-0006' AND score IS NOT NULL AND score <> 'NaN') w,
       LATERAL (SELECT estimated_binary_metrics(x.score, 0.5, c.cal) AS m
                  FROM cb_win x JOIN cb_cal c USING (case_id)
                 WHERE x.case_id = 'pub-cbpe-0006'
                   AND x.score BETWEEN w.score - 0.05 AND w.score + 0.02) f;

-- a frame that empties (n = 0, every ratio NULL) and fills again
SELECT id, (m).n, (m).accuracy, (m).roc_auc
  FROM (SELECT id, estimated_binary_metrics(score, 0.5, 'pub-cbpe-0001', 'score')
                     OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS m
          FROM (VALUES (1, 0.2::float8), (2, NULL), (3, NULL), (4, 0.9)) v(id, score)) s
 ORDER BY id;

-- slices: GROUP BY gives each slice what a query over that slice gives
SELECT count(*) AS slices,
       count(*) FILTER (WHERE pg_temp.same(g.m, (SELECT estimated_binary_metrics(x.score, 0.7,
                                                   'pub-cbpe-0006', 'score')
                                                   FROM cb_win x
                                                  WHERE x.case_id = 'pub-cbpe-0006'
                                                    AND x.id % 5 = g.slice))) AS same
  FROM (SELECT id % 5 AS slice,
               estimated_binary_metrics(score, 0.7, 'pub-cbpe-0006', 'score') AS m
          FROM cb_win WHERE case_id = 'pub-cbpe-0006' GROUP BY id % 5) g;

-- no rows: n = 0 and NULL ratios; only NULL scores: the same
SELECT (estimated_binary_metrics(score, 0.5, 'pub-cbpe-0001', 'score')).*
  FROM cb_win WHERE false;
SELECT (estimated_binary_metrics(NULL::float8, 0.5, c.cal)).* FROM cb_cal c
 WHERE case_id = 'pub-cbpe-0001';

-- a calibration of one point (one distinct training score) predicts its
-- value everywhere; infinite scores are ordinary ordered values
SELECT count(*) AS frames, count(*) FILTER (WHERE pg_temp.same(w.m, f.m)) AS same,
       bool_and(abs((w.m).roc_auc - 0.5) < 1e-15) AS roc_auc_half
  FROM (SELECT id, estimated_binary_metrics(score, 0.5, c.cal)
                     OVER (ORDER BY id ROWS 3 PRECEDING) AS m
          FROM (VALUES (1, 0.1::float8), (2, 'Infinity'), (3, '-Infinity'), (4, 0.7), (5, 0.5),
                       (6, 0.5), (7, 2), (8, NULL)) v(id, score),
               (SELECT isotonic_calibration(0.4, g % 4 = 0) AS cal FROM generate_series(1, 8) g) c) w,
       LATERAL (SELECT estimated_binary_metrics(x.score, 0.5, c.cal) AS m
                  FROM (VALUES (1, 0.1::float8), (2, 'Infinity'), (3, '-Infinity'), (4, 0.7),
                               (5, 0.5), (6, 0.5), (7, 2), (8, NULL)) x(id, score),
                       (SELECT isotonic_calibration(0.4, g % 4 = 0) AS cal
                          FROM generate_series(1, 8) g) c
                 WHERE x.id BETWEEN w.id - 3 AND w.id) f;
