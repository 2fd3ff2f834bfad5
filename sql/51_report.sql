-- drift.report(): one self-contained HTML page.  Checked here: it is
-- well-formed XML (read with xpath), it has no script, no external
-- reference, one section and chart per visible monitor with threshold and
-- alert marks, histograms with sound shares, a row per latest result; every
-- name and value from the data is escaped; unknown or invisible monitors
-- are errors (decided by SQLSTATE).  Uses 50_grafana.sql's fixture.
SET client_min_messages = warning;
\set VERBOSITY sqlstate

-- a hostile naming: a monitor, a column and categories that are HTML
CREATE TABLE rep_train ("<b>col&amp;</b>" text);
INSERT INTO rep_train SELECT CASE WHEN g % 3 = 0 THEN '<img src=x onerror=alert(1)>' ELSE 'plain' END
  FROM generate_series(1, 300) g;
CREATE TABLE rep_cur (ts timestamptz, "<b>col&amp;</b>" text);
INSERT INTO rep_cur SELECT timestamptz '2026-03-01 00:00+00' + g * interval '1 minute',
                           CASE WHEN g % 2 = 0 THEN '<script>alert(2)</script>' ELSE 'plain' END
  FROM generate_series(1, 300) g;
GRANT SELECT ON rep_train, rep_cur TO regress_graf_alice;
GRANT CREATE ON SCHEMA public TO regress_graf_alice;
SET ROLE regress_graf_alice;
SELECT count(*) FROM drift.capture_baseline('rep_base', 'rep_train');
SELECT drift.create_monitor('<script>alert("m")</script>', 'rep_cur', metric => 'chi2',
       column_name => '<b>col&amp;</b>', baseline => 'rep_base', threshold => 0.01,
       time_column => 'ts', window_size => '1 day', schedule => '1 day', paused => true) > 0 AS created;
SELECT state FROM drift.run_monitor('<script>alert("m")</script>', as_of => '2026-03-02 00:00+00');

CREATE TEMP TABLE page AS SELECT drift.report() AS html;
SELECT xml_is_well_formed_document(html) AS well_formed,
       left(html, 15) AS starts,
       html !~* '<script|<img|<iframe|<object|<embed|<link|@import|url\(|https?:' AS self_contained,
       strpos(html, '<b>col&amp;</b>') = 0 AS no_raw_column,
       strpos(html, '&lt;script&gt;alert(&quot;m&quot;)&lt;/script&gt;') > 0 AS name_escaped,
       strpos(html, '&lt;img src=x onerror=alert(1)&gt;') > 0 AS category_escaped,
       strpos(html, '&lt;b&gt;col&amp;amp;&lt;/b&gt;') > 0 AS column_escaped
  FROM page;
-- the page as the browser sees it: sections, headings, charts, tables
CREATE TEMP TABLE doc AS SELECT xmlparse(document html) AS d FROM page;
SELECT (xpath('count(//section[@class="monitor"])', d))[1]::text AS monitors,
       (xpath('count(//script|//img|//iframe|//object|//embed|//link)', d))[1]::text AS active_elements,
       (xpath('count(//svg[@class="chart"])', d))[1]::text AS charts,
       (xpath('count(//svg[@class="hist"])', d))[1]::text AS histograms,
       (xpath('count(//table[@class="results"]/tbody/tr)', d))[1]::text AS latest_rows,
       (xpath('count(//@*[starts-with(name(), "on") or name() = "src" or name() = "href"])', d))[1]::text
         AS handlers_or_links
  FROM doc;
SELECT unnest(xpath('//section[@class="monitor"]/h2/text()', d))::text AS heading FROM doc ORDER BY 1;
-- the hostile category is a bar label, as text
SELECT count(*) AS bars_named_like_the_category
  FROM doc, unnest(xpath('//svg[@class="hist"]//title/text()', d)) t
 WHERE t::text LIKE '&lt;img src=x onerror=alert(1)&gt;: %';

-- graf_m's chart: the threshold line, one line per slice, the breaching
-- points, and the alerts: a mark where alerts fired (windows ending 03-05
-- and 03-06, both slices in one mark each) and one where they resolved
CREATE TEMP TABLE chart AS
  SELECT xmlparse(document '<div>' || drift.report_metric_chart(monitor_id) || '</div>') AS c
    FROM drift.monitors WHERE name = 'graf_m';
SELECT (xpath('count(//line[@class="threshold"])', c))[1]::text AS thresholds,
       (xpath('count(//polyline[@class="series"])', c))[1]::text AS lines,
       (xpath('count(//circle[@class="breach"])', c))[1]::text AS breach_points,
       (xpath('count(//circle[@class="point"])', c))[1]::text AS other_points,
       (xpath('count(//polygon[@class="fired"])', c))[1]::text AS fired,
       (xpath('count(//circle[@class="resolved"])', c))[1]::text AS resolved,
       (xpath('//text[@class="thlab"]/text()', c))[1]::text AS threshold_label
  FROM chart;
-- the resolved mark sits on 2026-03-07 (the last day: the plot's right
-- edge, 740) and names both slices
SELECT (xpath('//circle[@class="resolved"]/@cx', c))[1]::text AS resolved_x,
       (xpath('//circle[@class="resolved"]/title/text()', c))[1]::text AS resolved_title
  FROM chart;
-- since: later windows only (03-06 and 03-07, two slices, and the resolved
-- mark); none at all says so
SELECT (xpath('count(//circle)', xmlparse(document '<div>' || drift.report_metric_chart(monitor_id, '2026-03-06 00:00+00')
                                         || '</div>')))[1]::text
         AS points_since_0306,
       drift.report_metric_chart(monitor_id, '2027-01-01') AS nothing_since
  FROM drift.monitors WHERE name = 'graf_m';

-- a model metric judged by bounds: two bound lines, the metric itself on
-- the axis; no baseline, so no histogram
CREATE TABLE rep_model AS
  SELECT timestamptz '2026-03-01 00:00+00' + g * interval '1 minute' AS ts,
         g % 2 = 0 AS predicted, CASE WHEN g > 1440 THEN g % 3 = 0 ELSE g % 2 = 0 END AS actual
    FROM generate_series(1, 2880) g;
SELECT drift.create_monitor('rep_accuracy', 'rep_model', metric => 'accuracy', column_name => 'predicted',
       label_column => 'actual', lower_bound => 0.9, upper_bound => 1, time_column => 'ts',
       window_size => '1 day', schedule => '1 day', paused => true) > 0 AS created;
SELECT string_agg(state, ',' ORDER BY d) AS states
  FROM generate_series(timestamptz '2026-03-02 00:00+00', '2026-03-03 00:00+00', '1 day') d,
       LATERAL drift.run_monitor('rep_accuracy', as_of => d);
SELECT (xpath('count(//line[@class="threshold"])', c))[1]::text AS bound_lines,
       array_to_string(xpath('//text[@class="thlab"]/text()', c)::text[], ' / ') AS labels,
       (xpath('//text[@class="axis"]/text()', c))[1]::text AS axis,
       (xpath('count(//circle[@class="breach"])', c))[1]::text AS breaches,
       drift.report_distribution(monitor_id) AS histogram
  FROM (SELECT monitor_id, xmlparse(document '<div>' || drift.report_metric_chart(monitor_id) || '</div>') AS c
          FROM drift.monitors WHERE name = 'rep_accuracy') x;

-- the histogram of graf_m: the baseline against the latest window (day 6,
-- the monitor's filter applied for its owner)
SELECT (xpath('string(//figcaption)', xmlparse(document drift.report_distribution(monitor_id))))[1]::text
         LIKE '%current: 600 rows of public.graf_a from 2026-03-06 00:00 to 2026-03-07 00:00 (the latest run''s window), all slices, the monitor''s filter applied%'
         AS caption_ok
  FROM drift.monitors WHERE name = 'graf_m';
RESET ROLE;

-- histograms: shares per bin sum to 1 on each side
SELECT bin, label, round(baseline_share::numeric, 4) AS baseline, round(current_share::numeric, 4) AS current
  FROM drift.report_histogram(
         (SELECT drift_profile_agg(x) FROM (VALUES (1.0), (1), (2), (3)) t(x)),
         (SELECT drift_profile_agg(x) FROM (VALUES (2.0), (3), (3), (5)) t(x)))
 ORDER BY bin;
SELECT count(*) AS bins, round(sum(baseline_share)::numeric, 10) AS baseline_total,
       round(sum(current_share)::numeric, 10) AS current_total,
       min(label) FILTER (WHERE bin = 1) AS first_bin, min(label) FILTER (WHERE bin = 20) AS last_bin
  FROM drift.report_histogram((SELECT drift_profile_agg(g::float8) FROM generate_series(1, 1000) g),
                              (SELECT drift_profile_agg(g::float8 * 2) FROM generate_series(1, 1000) g));
-- many categories: the 19 largest and "(other)"; no current side
SELECT count(*) AS bins, count(current_share) AS current_bins,
       round(sum(baseline_share)::numeric, 10) AS total, max(label) FILTER (WHERE bin = 20) AS last
  FROM drift.report_histogram((SELECT drift_profile_agg('c' || (g % 40)) FROM generate_series(1, 4000) g), NULL);
-- current of the other kind is left out, not mixed in
SELECT count(current_share) AS current_bins
  FROM drift.report_histogram((SELECT drift_profile_agg(g::float8) FROM generate_series(1, 10) g),
                              (SELECT drift_profile_agg(g::text) FROM generate_series(1, 10) g));

-- a long history keeps one point per pixel column and slice, the highest
-- (nearest a breach): 3000 results over 30 days give at most 677 points, and
-- dots only for breaches; a single breaching result among them stays drawn
INSERT INTO drift.results (monitor_id, monitor, run_at, window_start, window_end, slice, metric,
                           statistic, p_value, threshold, state)
  SELECT m.monitor_id, m.name, now(), e - interval '1 day', e, '{}', 'ks', 0.01,
         CASE WHEN g = 1234 THEN 1e-12 ELSE 0.5 END, 0.01, CASE WHEN g = 1234 THEN 'firing' ELSE 'ok' END
    FROM drift.monitors m, generate_series(1, 3000) g,
         LATERAL (SELECT timestamptz '2026-04-01 00:00+00' + g * interval '864 seconds' AS e) w
   WHERE m.name = 'graf_bob_m';
SELECT array_length(regexp_split_to_array((xpath('//polyline/@points', c))[1]::text, ' '), 1)
         BETWEEN 600 AND 677 AS one_per_pixel,
       (xpath('count(//circle[@class="breach"])', c))[1]::text AS breach_dots,
       (xpath('count(//circle[@class="point"])', c))[1]::text AS other_dots,
       octet_length(c::text) < 40000 AS small
  FROM (SELECT xmlparse(document '<div>' || drift.report_metric_chart(monitor_id, '2026-04-01 00:00+00')
                                 || '</div>') AS c
          FROM drift.monitors WHERE name = 'graf_bob_m') x;

-- as bob: only his monitor; alice's names are unknown to him
SET ROLE regress_graf_bob;
SELECT (xpath('count(//section[@class="monitor"])', xmlparse(document drift.report())))[1]::text AS monitors,
       strpos(drift.report(), 'graf_m"') = 0 AND strpos(drift.report(), 'script') = 0 AS nothing_of_alice;
SELECT drift.report(ARRAY['graf_m']);
SELECT drift.report(ARRAY['graf_bob_m', 'no_such_monitor']);
RESET ROLE;

-- an admin sees both roles' monitors (and those other tests left); the
-- filter of alice's monitor is not run by the admin, and a table the admin
-- may not read leaves the baseline alone, saying why
SET ROLE regress_graf_admin;
SELECT (xpath('count(//section[@class="monitor"])', xmlparse(document drift.report())))[1]::text::int
         = (SELECT count(*) FROM drift.monitors) AS all_monitors,
       (xpath('count(//section[@class="monitor"])',
              xmlparse(document drift.report(ARRAY['graf_m', 'graf_bob_m']))))[1]::text AS named;
SELECT (xpath('string(//figcaption)', xmlparse(document drift.report_distribution(monitor_id))))[1]::text
         LIKE '%current: you may not read public.graf_a%' AS not_readable
  FROM drift.monitors WHERE name = 'graf_m';
RESET ROLE;
GRANT SELECT ON graf_a TO regress_graf_admin;
SET ROLE regress_graf_admin;
SELECT (xpath('string(//figcaption)', xmlparse(document drift.report_distribution(monitor_id))))[1]::text
         LIKE '%without the monitor''s filter (it is applied only for its owner)%' AS filter_not_run
  FROM drift.monitors WHERE name = 'graf_m';
SELECT xml_is_well_formed_document(drift.report(ARRAY['graf_m'], title => '<i>T&amp;</i>')) AS ok,
       strpos(drift.report(ARRAY['graf_m'], title => '<i>T&amp;</i>'), '<title>&lt;i&gt;T&amp;amp;&lt;/i&gt;</title>') > 0
         AS title_escaped;
RESET ROLE;

-- a monitor whose column is gone: its run is an error result and alert
-- (a grey mark), the histogram says the window could not be read, the
-- table shows the error, and the page is still whole
ALTER TABLE rep_cur RENAME COLUMN "<b>col&amp;</b>" TO gone;
SET ROLE regress_graf_alice;
SELECT state FROM drift.run_monitor('<script>alert("m")</script>', as_of => '2026-03-03 00:00+00');
SELECT xml_is_well_formed_document(drift.report()) AS ok,
       (xpath('count(//rect[@class="errmark"])',
              xmlparse(document '<div>' || drift.report_metric_chart(monitor_id) || '</div>')))[1]::text
         AS error_marks,
       (xpath('string(//figcaption)', xmlparse(document drift.report_distribution(monitor_id))))[1]::text
         LIKE '%current: the window could not be read (SQLSTATE 42703)' AS caption_says_why,
       (xpath('count(//tbody/tr/td[12][string-length(.) > 0])',
              xmlparse(document drift.report_results_table(ARRAY[monitor_id]))))[1]::text AS error_cells
  FROM drift.monitors WHERE name = '<script>alert("m")</script>';
RESET ROLE;

-- bad input
SELECT drift.report(ARRAY['graf_m', NULL]);
SELECT drift.report(bins => 1);
SELECT * FROM drift.report_histogram((SELECT drift_profile_agg(1.0)), NULL, 0);
SELECT drift.report(ARRAY['no_such_monitor']);
-- a role with no monitors still gets a page
CREATE ROLE regress_rep_nobody;
SET ROLE regress_rep_nobody;
SELECT xml_is_well_formed_document(drift.report()) AS ok,
       strpos(drift.report(), 'You have no monitors') > 0 AS says_so,
       drift.report(ARRAY[]::text[]) LIKE '%0 monitors%' AS empty_list;
RESET ROLE;

-- number formatting used on the page
SELECT drift.report_number(x) FROM unnest(ARRAY[NULL, 0, 0.01, 1234.5678, 1e-7, 2.5e9,
                                                'Infinity', 'NaN', -3.14159]::float8[]) x;
SELECT drift.report_escape('<a href="x">''&''</a>'), drift.report_escape(NULL) = '' AS null_empty;

-- clean up the fixtures of 50_grafana.sql and this file
DROP TABLE page, doc, chart;
SET ROLE regress_graf_alice;
SELECT drift.drop_monitor(name) FROM drift.monitors ORDER BY name;
SELECT drift.drop_baseline(name) FROM drift.baselines ORDER BY name;
RESET ROLE;
SET ROLE regress_graf_bob;
SELECT drift.drop_monitor('graf_bob_m');
SELECT drift.drop_baseline('graf_base');
RESET ROLE;
DROP TABLE graf_train, graf_a, graf_b, rep_train, rep_cur, rep_model;
REVOKE CREATE ON SCHEMA public FROM regress_graf_alice;
DROP ROLE regress_graf_alice, regress_graf_bob, regress_graf_admin, regress_rep_nobody;
