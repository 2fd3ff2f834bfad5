-- ---------------------------------------------------------------------------
-- drift.report(): one self-contained HTML page of the caller's monitors
-- ---------------------------------------------------------------------------
--
-- The page has no script and no external reference: CSS and SVG are inline,
-- so it can be mailed, archived or opened offline.  It is also well-formed
-- XML (self-closed void elements, no named entities but XML's five), so the
-- tests read it with xmlparse/xpath.
--
-- Everything runs with the caller's rights (nothing here is SECURITY
-- DEFINER) and reads drift.monitors, drift.results, drift.alerts and the
-- baselines under their row-level security: a role's report shows its own
-- monitors, a drift_admin member's everyone's.  That is why the pieces are
-- public drift.report_* functions rather than internal drift._* ones (those
-- are revoked from PUBLIC): report() calls them as the caller, and each
-- shows no more than the caller may select anyway.
--
-- Every text that comes from data (names, slices, categories, errors) goes
-- through drift.report_escape before it reaches the page.

-- Text as HTML/XML character data or attribute value.
CREATE FUNCTION drift.report_escape(t text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT replace(replace(replace(replace(replace(
           coalesce(t, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;')
$fn$;
COMMENT ON FUNCTION drift.report_escape(text) IS
  'Escape text for HTML and XML (& < > " and '' as entities); NULL gives an empty string';

-- A number short enough for a chart label: 4 significant digits, an
-- exponent for very small or large magnitudes.
CREATE FUNCTION drift.report_number(x float8) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT CASE WHEN x IS NULL THEN '-'
              WHEN x = 0 THEN '0'
              WHEN x = 'Infinity' THEN 'inf'
              WHEN x = '-Infinity' THEN '-inf'
              WHEN x = 'NaN' THEN 'NaN'
              WHEN abs(x) < 1e-3 OR abs(x) >= 1e6 THEN trim(to_char(x, '9.99EEEE'))
              ELSE rtrim(rtrim(to_char(round(x::numeric, greatest(0, 3 - floor(log(abs(x)))::int)),
                                       'FM999999990.999999'), '0'), '.')
         END
$fn$;
COMMENT ON FUNCTION drift.report_number(float8) IS
  'A number as the report prints it: about 4 significant digits, exponent form below 0.001 '
  'and from 1e6';

-- A round step for about `ticks` axis intervals over `span`: 1, 2, 2.5 or 5
-- times a power of ten (Heckbert's "nice numbers for graph labels",
-- Graphics Gems, 1990), so that axis labels read 0, 10, 20 rather than 0, 10.2.
CREATE FUNCTION drift.report_nice_step(span float8, ticks integer DEFAULT 4) RETURNS float8
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT m * CASE WHEN f <= 1 THEN 1 WHEN f <= 2 THEN 2 WHEN f <= 2.5 THEN 2.5
                  WHEN f <= 5 THEN 5 ELSE 10 END
    FROM (SELECT raw / m AS f, m
            FROM (SELECT raw, power(10::float8, floor(log(raw))) AS m
                    FROM (SELECT greatest(span / greatest(ticks, 1), 1e-300) AS raw) r) x) y
$fn$;
COMMENT ON FUNCTION drift.report_nice_step(float8, integer) IS
  'A round axis step (1, 2, 2.5 or 5 times a power of ten) for about ticks intervals over span';

-- The quantity a monitor's threshold applies to, as the chart plots it:
-- -log10(p) for p-value tests (so that higher means more drift, like every
-- other metric, and p-values far below 1e-10 stay readable), the statistic
-- otherwise.
CREATE FUNCTION drift.report_plotted_value(comparison text, statistic float8, p_value float8)
  RETURNS float8
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT CASE WHEN comparison = 'p_value'
              THEN CASE WHEN p_value IS NULL OR p_value = 'NaN' THEN NULL
                        ELSE -log(greatest(p_value, 1e-300)) END
              WHEN statistic IS NULL OR statistic IN ('NaN', 'Infinity', '-Infinity') THEN NULL
              ELSE statistic END
$fn$;
COMMENT ON FUNCTION drift.report_plotted_value(text, float8, float8) IS
  'What the report''s chart plots for a result: -log10(p-value) for p-value tests '
  '(p floored at 1e-300), else the statistic';

-- ---------------------------------------------------------------------------
-- Chart of one monitor's metric over time
-- ---------------------------------------------------------------------------
--
-- x: window end (else run time) as in drift.grafana_results; y: see
-- report_plotted_value.  One line per slice (at most 8, the most recently
-- firing first; the legend says how many are left out), a dashed threshold
-- line (two for bounds), breaching points filled red, and the alerts as
-- marks on the time axis: a red triangle where one fired, a green circle
-- where it resolved, a grey square for an error.
CREATE FUNCTION drift.report_metric_chart(monitor_id bigint, since timestamptz DEFAULT NULL)
  RETURNS text
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  -- the plot area inside a 760 x 240 picture
  x0 constant float8 := 64;  x1 constant float8 := 740;
  y0 constant float8 := 12;  y1 constant float8 := 196;
  colours constant text[] := ARRAY['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b',
                                   '#e377c2', '#17becf', '#7f7f7f'];
  m      drift.monitors;
  cmp    text;
  lines  float8[];
  -- the points, as parallel arrays (a temporary table would need a
  -- writable transaction): slice label, epoch, plotted value, breach, rank
  sl text[]; ts float8[]; vs float8[]; br boolean[]; rk integer[];
  tmin float8; tmax float8; vmin float8; vmax float8;
  step   float8;
  nticks integer;
  n_sl   integer;
  svg    text;
BEGIN
  SELECT * INTO m FROM drift.monitors x WHERE x.monitor_id = report_metric_chart.monitor_id;
  IF NOT FOUND THEN
    RETURN '';
  END IF;
  cmp := coalesce((SELECT comparison FROM drift.metrics WHERE name = m.metric), 'above');
  lines := CASE cmp
             WHEN 'p_value' THEN ARRAY[drift.report_plotted_value(cmp, NULL, m.threshold)]
             WHEN 'bounds' THEN ARRAY[m.lower_bound, m.upper_bound]
             ELSE ARRAY[m.threshold] END;

  -- slices ranked by their last firing (most recent first), then by name
  -- (each array in the same, total order: result_id breaks ties)
  SELECT array_agg(p.slice ORDER BY p.t, p.result_id), array_agg(p.t ORDER BY p.t, p.result_id),
         array_agg(p.v ORDER BY p.t, p.result_id), array_agg(p.breach ORDER BY p.t, p.result_id),
         array_agg(p.rank ORDER BY p.t, p.result_id)
    INTO sl, ts, vs, br, rk
    FROM (SELECT q.*, dense_rank() OVER (ORDER BY q.last_firing DESC NULLS LAST, q.slice)::integer AS rank
            FROM (SELECT drift.slice_label(r.slice) AS slice, r.result_id,
                         extract(epoch FROM coalesce(r.window_end, r.run_at))::float8 AS t,
                         drift.report_plotted_value(cmp, r.statistic, r.p_value) AS v,
                         r.state IN ('firing', 'pending') AS breach,
                         max(CASE WHEN r.state = 'firing' THEN r.run_at END)
                           OVER (PARTITION BY r.slice) AS last_firing
                    FROM drift.results r
                   WHERE r.monitor_id = m.monitor_id
                     AND (since IS NULL OR coalesce(r.window_end, r.run_at) >= since)) q) p;
  SELECT min(t), max(t), min(v), max(v), count(DISTINCT s)
    INTO tmin, tmax, vmin, vmax, n_sl FROM unnest(sl, ts, vs) AS u(s, t, v);
  IF tmin IS NULL THEN
    RETURN '<p class="empty">No results in this period.</p>';
  END IF;
  SELECT least(vmin, min(l)), greatest(vmax, max(l)) INTO vmin, vmax FROM unnest(lines) l;
  vmin := least(coalesce(vmin, 0), 0);
  vmax := coalesce(vmax, 1);
  IF vmax <= vmin THEN vmax := vmin + 1; END IF;
  -- round axis ends, a little room above the highest point
  step := drift.report_nice_step((vmax - vmin) * 1.05);
  vmin := floor(vmin / step) * step;
  vmax := ceil((vmax + (vmax - vmin) * 0.05) / step) * step;
  nticks := round((vmax - vmin) / step)::integer;
  IF tmax <= tmin THEN tmin := tmin - 3600; tmax := tmax + 3600; END IF;

  svg := '<svg class="chart" width="760" height="240" viewBox="0 0 760 240" role="img">'
    || format('<rect x="%s" y="%s" width="%s" height="%s" class="plot"/>', x0, y0, x1 - x0, y1 - y0)
    -- y grid and labels
    || (SELECT string_agg(format('<line x1="%s" x2="%s" y1="%s" y2="%s" class="grid"/>'
                                 '<text x="%s" y="%s" class="ylab">%s</text>',
                                 x0, x1, g.y, g.y, x0 - 6, g.y + 4, drift.report_number(g.v)),
                          '' ORDER BY g.i)
          FROM (SELECT i, vmin + step * i AS v,
                       round((y1 - (y1 - y0) * i / nticks)::numeric, 1) AS y
                  FROM generate_series(0, nticks) i) g)
    -- time labels
    || (SELECT string_agg(format('<text x="%s" y="%s" class="xlab" text-anchor="%s">%s</text>',
                                 round((x0 + (x1 - x0) * i / 4)::numeric, 1), y1 + 16,
                                 CASE i WHEN 0 THEN 'start' WHEN 4 THEN 'end' ELSE 'middle' END,
                                 to_char(to_timestamp(tmin + (tmax - tmin) * i / 4) AT TIME ZONE 'UTC',
                                         'YYYY-MM-DD HH24:MI')), '' ORDER BY i)
          FROM generate_series(0, 4) i)
    || format('<text x="%s" y="%s" class="axis">%s (time: window end, UTC)</text>', x0, y1 + 36,
              CASE cmp WHEN 'p_value' THEN '&#8722;log10 p-value (higher: stronger evidence of drift)'
                       ELSE drift.report_escape(m.metric) END)
    -- threshold line(s), labelled with the threshold itself
    || coalesce((SELECT string_agg(format('<line x1="%s" x2="%s" y1="%s" y2="%s" class="threshold"/>'
                                          '<text x="%s" y="%s" class="thlab">%s %s</text>',
                                          x0, x1, th.y, th.y, x1 - 4, th.y - 4,
                                          CASE cmp WHEN 'p_value' THEN 'p-value threshold'
                                                   WHEN 'bounds' THEN 'bound' ELSE 'threshold' END,
                                          drift.report_number(CASE cmp WHEN 'p_value'
                                                                  THEN m.threshold ELSE th.l END)),
                                   '' ORDER BY th.l)
                   FROM (SELECT l, round((y1 - (y1 - y0) * (l - vmin) / (vmax - vmin))::numeric, 1) AS y
                           FROM unnest(lines) l WHERE l IS NOT NULL) th), '')
    -- one line and its points per slice drawn; breaching points filled.
    -- A long history keeps one point per pixel column and slice, the
    -- highest (the one nearest a breach), so the page stays small and no
    -- breach disappears; points are drawn as dots while there are few.
    || coalesce((SELECT string_agg(format('<polyline class="series" stroke="%s" points="%s"/>%s',
                                          colours[s.rank], s.pts, s.dots), '' ORDER BY s.rank)
                   FROM (SELECT q.rank, string_agg(q.x || ',' || q.y, ' ' ORDER BY q.x) AS pts,
                                string_agg(format('<circle cx="%s" cy="%s" r="%s" class="%s" stroke="%s"/>',
                                                  q.x, q.y, CASE WHEN q.breach THEN 4.5 ELSE 3 END,
                                                  CASE WHEN q.breach THEN 'breach' ELSE 'point' END,
                                                  colours[q.rank]), '' ORDER BY q.x)
                                  FILTER (WHERE q.breach OR q.n <= 120) AS dots
                           FROM (SELECT c.rank, c.x, bool_or(c.breach) AS breach,
                                        round((y1 - (y1 - y0) * (max(c.v) - vmin) / (vmax - vmin))::numeric, 1) AS y,
                                        count(*) OVER (PARTITION BY c.rank) AS n
                                   FROM (SELECT u.rank, u.breach, u.v,
                                                round((x0 + (x1 - x0) * (u.t - tmin) / (tmax - tmin))::numeric, 0) AS x
                                           FROM unnest(ts, vs, br, rk) AS u(t, v, breach, rank)
                                          WHERE u.rank <= 8 AND u.v IS NOT NULL) c
                                  GROUP BY c.rank, c.x) q
                          GROUP BY q.rank) s), '')
    -- the alerts on the time axis
    || coalesce((SELECT string_agg(CASE a.state
                   WHEN 'firing' THEN format('<polygon points="%s,%s %s,%s %s,%s" class="fired"><title>fired: %s</title></polygon>',
                                             a.x - 6, y1 - 1, a.x + 6, y1 - 1, a.x, y1 - 13, a.label)
                   WHEN 'resolved' THEN format('<circle cx="%s" cy="%s" r="5" class="resolved"><title>resolved: %s</title></circle>',
                                               a.x, y1 - 6, a.label)
                   ELSE format('<rect x="%s" y="%s" width="10" height="10" class="errmark"><title>%s: %s</title></rect>',
                               a.x - 5, y1 - 11, drift.report_escape(a.state), a.label) END,
                   '' ORDER BY a.alert_id)
                   -- one mark per kind and pixel column, naming its slices (up to 5)
                   FROM (SELECT g.state, g.x, min(g.alert_id) AS alert_id,
                                drift.report_escape(
                                  array_to_string((array_agg(DISTINCT g.slice ORDER BY g.slice))[1:5], ', ')
                                  || CASE WHEN count(DISTINCT g.slice) > 5
                                          THEN format(' and %s more', count(DISTINCT g.slice) - 5) ELSE '' END
                                  || ' at ' || to_char(min(g."time") AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'))
                                  AS label
                           FROM (SELECT a0.*,
                                        round((x0 + (x1 - x0) * (extract(epoch FROM a0."time") - tmin)
                                               / (tmax - tmin))::numeric, 0) AS x
                                   FROM drift.grafana_alerts a0
                                  WHERE a0.monitor_id = m.monitor_id
                                    AND extract(epoch FROM a0."time") BETWEEN tmin AND tmax) g
                          GROUP BY g.state, g.x) a), '')
    || '</svg>';
  -- the legend, as HTML so that long slice labels wrap
  svg := svg || '<p class="legend">'
    || (SELECT string_agg(format('<span class="key"><span class="swatch" style="background:%s"></span>%s</span>',
                                 colours[k.rank], drift.report_escape(k.slice)), ' ' ORDER BY k.rank)
          FROM (SELECT DISTINCT u.rank, u.s AS slice FROM unnest(sl, rk) AS u(s, rank)
                 WHERE u.rank <= 8) k)
    || ' <span class="key"><span class="mark fired-key"></span>fired</span>'
    || ' <span class="key"><span class="mark resolved-key"></span>resolved</span>'
    || ' <span class="key"><span class="mark breach-key"></span>breach</span>'
    || CASE WHEN n_sl > 8 THEN format(' <span class="note">%s more slices not drawn (see the table)</span>',
                                      n_sl - 8) ELSE '' END
    || '</p>';
  RETURN svg;
END
$fn$;
COMMENT ON FUNCTION drift.report_metric_chart(bigint, timestamptz) IS
  'SVG chart of a visible monitor''s metric over time (window end) with its threshold, '
  'breaching points and fired/resolved/error alert marks; empty text for an invisible monitor';

-- ---------------------------------------------------------------------------
-- Baseline-vs-current histograms
-- ---------------------------------------------------------------------------
--
-- The shares of two profiles over common bins.  Categories (and numeric
-- columns with at most 25 distinct values on both sides together) get a bin
-- each, the 19 largest by share plus "(other)" when there are more.  Other
-- numeric columns get `bins` equal-width bins between the baseline's 1st and
-- 99th percentiles, the outer bins also holding what lies beyond, so that a
-- long tail does not squeeze the bulk of the distribution into one bar (a
-- sketch profile's entries are its quantile points, weighted by their
-- counts, so it bins the same way).  current NULL, or of the other kind,
-- gives NULL current shares.
CREATE FUNCTION drift.report_histogram(baseline @extschema@.drift_profile,
                                       current @extschema@.drift_profile,
                                       bins integer DEFAULT 20)
  RETURNS TABLE (bin integer, label text, baseline_share float8, current_share float8)
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
BEGIN
  IF bins IS NULL OR bins < 2 OR bins > 200 THEN
    RAISE EXCEPTION 'bins must be between 2 and 200'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Numeric columns are drawn in that many equal-width bins.';
  END IF;
  RETURN QUERY
  WITH j AS (
    SELECT b, CASE WHEN c ->> 'kind' = b ->> 'kind' THEN c END AS c
      FROM (SELECT baseline::text::jsonb AS b, current::text::jsonb AS c) x),
  e AS (  -- one row per profile entry: side (0 baseline, 1 current), value, count
    SELECT s.side, v.x AS cat,
           CASE WHEN j.b ->> 'kind' = 'numeric' THEN v.x::float8 END AS x, n.n::float8 AS n
      FROM j CROSS JOIN LATERAL (VALUES (0, j.b), (1, j.c)) AS s(side, p)
     CROSS JOIN LATERAL jsonb_array_elements_text(coalesce(s.p -> 'values', s.p -> 'categories'))
                        WITH ORDINALITY AS v(x, i)
      JOIN LATERAL jsonb_array_elements_text(s.p -> 'counts') WITH ORDINALITY AS n(n, i)
        ON n.i = v.i),
  tot AS (SELECT side, sum(n) AS total FROM e GROUP BY side),
  discrete AS (
    SELECT (SELECT b ->> 'kind' FROM j) = 'categorical' OR count(DISTINCT x) <= 25 AS yes FROM e),
  -- the binned case: the baseline's 1st and 99th percentiles
  cum AS (
    SELECT x, sum(n) OVER (ORDER BY x) / sum(n) OVER () AS f FROM e WHERE side = 0),
  range AS (
    SELECT CASE WHEN hi > lo THEN lo ELSE mn END AS lo, CASE WHEN hi > lo THEN hi ELSE mx END AS hi
      FROM (SELECT (SELECT min(x) FROM cum WHERE f >= 0.01) AS lo,
                   (SELECT min(x) FROM cum WHERE f >= 0.99) AS hi,
                   (SELECT min(x) FROM e) AS mn, (SELECT max(x) FROM e) AS mx) r),
  keyed AS (  -- each entry's bin key and label
    SELECT e.side, e.n,
           CASE WHEN d.yes THEN NULL
                ELSE least(bins - 1, greatest(0, floor((e.x - r.lo) / nullif(r.hi - r.lo, 0) * bins)))::integer
           END AS k, e.cat, e.x
      FROM e, discrete d, range r),
  shares AS (
    SELECT k.k, k.cat, min(k.x) AS x,
           sum(k.n) FILTER (WHERE k.side = 0) / (SELECT total FROM tot WHERE side = 0) AS bs,
           sum(k.n) FILTER (WHERE k.side = 1) / (SELECT total FROM tot WHERE side = 1) AS cs
      FROM (SELECT side, n, k, CASE WHEN k IS NULL THEN cat END AS cat, x FROM keyed) k
     GROUP BY k.k, k.cat),
  ranked AS (
    SELECT s.*, row_number() OVER (ORDER BY greatest(coalesce(s.bs, 0), coalesce(s.cs, 0)) DESC,
                                            s.cat) AS big
      FROM shares s)
  SELECT (row_number() OVER (ORDER BY o.ord1, o.ord2, o.label))::integer, o.label,
         coalesce(o.bs, 0), CASE WHEN (SELECT c FROM j) IS NOT NULL THEN coalesce(o.cs, 0) END
    FROM (  -- bins in order
          SELECT g.k AS ord1, 0::float8 AS ord2,
                 CASE WHEN g.k = 0 THEN '< ' || drift.report_number(r.lo + (r.hi - r.lo) / bins)
                      WHEN g.k = bins - 1 THEN '>= ' || drift.report_number(r.hi - (r.hi - r.lo) / bins)
                      ELSE drift.report_number(r.lo + (r.hi - r.lo) * g.k / bins) || ' - '
                           || drift.report_number(r.lo + (r.hi - r.lo) * (g.k + 1) / bins) END AS label,
                 s.bs, s.cs
            FROM discrete d, range r, generate_series(0, bins - 1) AS g(k)
            LEFT JOIN shares s ON s.k = g.k
           WHERE NOT d.yes AND r.hi > r.lo
          UNION ALL  -- values and categories: numeric ones in order, categories by size
          SELECT 0, CASE WHEN x IS NOT NULL THEN x ELSE big END, cat, bs, cs
            FROM ranked, discrete d WHERE d.yes AND (big < 20 OR (SELECT count(*) FROM ranked) <= 20)
          UNION ALL
          SELECT 1, 0, '(other)', sum(bs), sum(cs)
            FROM ranked, discrete d WHERE d.yes AND big >= 20 AND (SELECT count(*) FROM ranked) > 20
          HAVING count(*) > 0) o;
END
$fn$;
COMMENT ON FUNCTION drift.report_histogram(drift_profile, drift_profile, integer) IS
  'Shares of a baseline and a current profile over common bins: a bin per category or per '
  'value (up to 25 distinct numbers; 19 largest plus "(other)"), else equal-width bins between '
  'the baseline''s 1st and 99th percentiles with the tails in the outer bins';

-- The histogram as SVG: the baseline's share (grey-blue) and the current
-- share (orange) side by side in each bin; bin labels under the bars (every
-- bin when there are few, else every fourth).
CREATE FUNCTION drift.report_histogram_chart(baseline @extschema@.drift_profile,
                                             current @extschema@.drift_profile,
                                             bins integer DEFAULT 20)
  RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  WITH h AS (SELECT * FROM drift.report_histogram(baseline, current, bins)),
  dim AS (  -- bins, and a round y axis a little above the highest bar
    SELECT k, step, ceil(hi * 1.02 / step) * step AS top, ceil(hi * 1.02 / step)::integer AS nticks
      FROM (SELECT k, hi, drift.report_nice_step(hi * 1.02) AS step
              FROM (SELECT count(*) AS k,
                           greatest(max(baseline_share), coalesce(max(current_share), 0), 1e-9) AS hi
                      FROM h) a) b),
  geo AS (  -- plot area x 48..452, y 10..170 of a 500 x 250 picture (room for the last label)
    SELECT h.*, 404.0 / d.k AS slot, d.k, d.top,
           48 + 404.0 / d.k * (h.bin - 1) AS left_x
      FROM h, dim d)
  SELECT CASE WHEN (SELECT k FROM dim) = 0 THEN '<p class="empty">The profiles hold no values.</p>'
  ELSE
    '<svg class="hist" width="500" height="250" viewBox="0 0 500 250" role="img">'
    || '<rect x="48" y="10" width="404" height="160" class="plot"/>'
    || (SELECT string_agg(format('<line x1="48" x2="452" y1="%s" y2="%s" class="grid"/>'
                                 '<text x="44" y="%s" class="ylab">%s%%</text>',
                                 y, y, y + 4, drift.report_number(d.step * i * 100)),
                          '' ORDER BY i)
          FROM dim d, generate_series(0, d.nticks) i,
               LATERAL (SELECT round((170 - 160.0 * i / d.nticks)::numeric, 1) AS y) yy)
    || (SELECT string_agg(
          format('<rect x="%s" y="%s" width="%s" height="%s" class="base"><title>%s: baseline %s%%</title></rect>',
                 round((g.left_x + g.slot * 0.1)::numeric, 1),
                 round((170 - 160 * g.baseline_share / g.top)::numeric, 1),
                 round((g.slot * 0.4)::numeric, 1),
                 round((160 * g.baseline_share / g.top)::numeric, 1),
                 drift.report_escape(g.label), drift.report_number(g.baseline_share * 100))
          || CASE WHEN g.current_share IS NULL THEN '' ELSE
          format('<rect x="%s" y="%s" width="%s" height="%s" class="cur"><title>%s: current %s%%</title></rect>',
                 round((g.left_x + g.slot * 0.5)::numeric, 1),
                 round((170 - 160 * g.current_share / g.top)::numeric, 1),
                 round((g.slot * 0.4)::numeric, 1),
                 round((160 * g.current_share / g.top)::numeric, 1),
                 drift.report_escape(g.label), drift.report_number(g.current_share * 100)) END
          || CASE WHEN g.k <= 12 OR (g.bin - 1) % 4 = 0 OR g.bin = g.k THEN
          format('<text x="%s" y="182" class="blab" transform="rotate(40 %s 182)">%s</text>',
                 round((g.left_x + g.slot / 2)::numeric, 1), round((g.left_x + g.slot / 2)::numeric, 1),
                 drift.report_escape(CASE WHEN length(g.label) > 18 THEN left(g.label, 17) || '...'
                                          ELSE g.label END)) ELSE '' END,
          '' ORDER BY g.bin)
          FROM geo g)
    || '</svg>'
  END
$fn$;
COMMENT ON FUNCTION drift.report_histogram_chart(drift_profile, drift_profile, integer) IS
  'SVG bar chart of drift.report_histogram: baseline and current share per bin, side by side';

-- One monitor's column: the baseline profile against the rows of the
-- monitor's latest window.  The current side is read here, by the caller:
-- nothing of it is stored with the results, and rereading the window with
-- the caller's own rights shows no more than the caller may select.  The
-- monitor's filter is SQL written by the monitor's owner, so it is applied
-- only when the caller is that owner (anyone else would run another role's
-- code with their own rights); otherwise, and over all slices together, the
-- caption says what the bars cover.  A window the caller cannot read, or
-- that fails, leaves the baseline alone with the reason.
CREATE FUNCTION drift.report_distribution(monitor_id bigint, bins integer DEFAULT 20)
  RETURNS text
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m       drift.monitors;
  bcol    drift.baseline_columns;
  rel     regclass;
  wstart  timestamptz;
  wend    timestamptz;
  cur     @extschema@.drift_profile;
  caption text;
  use_filter boolean;
BEGIN
  SELECT * INTO m FROM drift.monitors x WHERE x.monitor_id = report_distribution.monitor_id;
  IF NOT FOUND OR m.baseline IS NULL THEN
    RETURN '';
  END IF;
  SELECT * INTO bcol FROM drift.baseline_columns b
   WHERE b.baseline_owner = drift.baseline_owner(m.baseline, m.owner)
     AND b.baseline_name = m.baseline AND b.column_name = m.column_name;
  IF NOT FOUND THEN
    RETURN format('<p class="note">Baseline %s has no profile of column %s that you can see.</p>',
                  drift.report_escape(m.baseline), drift.report_escape(m.column_name));
  END IF;
  SELECT r.window_start, r.window_end INTO wstart, wend
    FROM drift.results r WHERE r.monitor_id = m.monitor_id
   ORDER BY r.run_at DESC, r.result_id DESC LIMIT 1;
  rel := (SELECT c.oid FROM pg_class c WHERE c.oid = m.relation_oid);
  use_filter := m.filter IS NOT NULL AND m.owner = current_user;

  IF rel IS NULL THEN
    caption := 'current: the relation no longer exists';
  ELSIF m.time_column IS NOT NULL AND wstart IS NULL THEN
    caption := 'current: no run yet';
  ELSE
    -- a column dropped or renamed since is an error of the privilege check
    -- or of the query: caught, like any failure of the owner's filter
    BEGIN
      IF NOT has_column_privilege(rel, m.column_name, 'SELECT')
         OR (m.time_column IS NOT NULL AND NOT has_column_privilege(rel, m.time_column, 'SELECT')) THEN
        caption := format('current: you may not read %s', rel);
      ELSE
        EXECUTE format('SELECT @extschema@.drift_profile_agg(t.%I::%s) FROM %s AS t WHERE %s AND %s',
                       m.column_name, CASE bcol.kind WHEN 'numeric' THEN 'float8' ELSE 'text' END, rel,
                       CASE WHEN m.time_column IS NULL THEN 'true'
                            ELSE format('t.%I >= $1 AND t.%I < $2', m.time_column, m.time_column) END,
                       CASE WHEN use_filter THEN format('(%s)', m.filter) ELSE 'true' END)
           INTO cur USING wstart, wend;
        caption := format('current: %s rows of %s%s%s%s',
                          coalesce(cur::text::jsonb ->> 'count', '0'), rel,
                          CASE WHEN m.time_column IS NULL THEN ''
                               ELSE format(' from %s to %s (the latest run''s window)',
                                           to_char(wstart AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
                                           to_char(wend AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')) END,
                          CASE WHEN m.slice_by IS NOT NULL THEN ', all slices' ELSE '' END,
                          CASE WHEN m.filter IS NULL THEN ''
                               WHEN use_filter THEN ', the monitor''s filter applied'
                               ELSE ', without the monitor''s filter (it is applied only for its owner)' END);
      END IF;
    EXCEPTION WHEN OTHERS THEN
      caption := format('current: the window could not be read (SQLSTATE %s)', SQLSTATE);
      cur := NULL;
    END;
  END IF;
  RETURN '<figure class="dist">'
    || drift.report_histogram_chart(bcol.profile, cur, bins)
    || format('<figcaption><b>%s</b>: <span class="swatch base"></span>baseline %s (%s rows) '
              'vs <span class="swatch cur"></span>%s</figcaption></figure>',
              drift.report_escape(m.column_name), drift.report_escape(m.baseline),
              bcol.profile::text::jsonb ->> 'count', drift.report_escape(caption));
END
$fn$;
COMMENT ON FUNCTION drift.report_distribution(bigint, integer) IS
  'Histogram figure of a visible monitor''s column: its baseline profile against the rows of '
  'its latest window, read with the caller''s rights (the filter applied only for its owner)';

-- The latest result of every slice of the given monitors, firing first.
CREATE FUNCTION drift.report_results_table(monitor_ids bigint[], max_rows integer DEFAULT 200)
  RETURNS text
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT '<table class="results"><thead><tr><th>monitor</th><th>column</th><th>slice</th>'
      || '<th>metric</th><th>state</th><th>statistic</th><th>p-value</th><th>threshold</th>'
      || '<th>rows</th><th>window end</th><th>run at</th><th>error</th></tr></thead><tbody>'
      || coalesce(string_agg(format('<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td>'
                                    '<td><span class="state %s">%s</span></td><td>%s</td><td>%s</td>'
                                    '<td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>',
                                    drift.report_escape(l.monitor), drift.report_escape(l."column"),
                                    drift.report_escape(l.slice), drift.report_escape(l.metric),
                                    drift.report_escape(l.state), drift.report_escape(l.state),
                                    drift.report_number(l.statistic), drift.report_number(l.p_value),
                                    drift.report_number(l.threshold), coalesce(l.n_current::text, '-'),
                                    coalesce(to_char(l.window_end AT TIME ZONE 'UTC',
                                                     'YYYY-MM-DD HH24:MI'), '-'),
                                    to_char(l.run_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
                                    drift.report_escape(left(l.error, 300))),
                             '' ORDER BY l.firing DESC, l.monitor, l.slice), '')
      || '</tbody></table>'
      || CASE WHEN count(*) >= max_rows THEN format('<p class="note">Only the first %s rows are shown.</p>', max_rows)
              ELSE '' END
    FROM (SELECT x.*, x.state = 'firing' AS firing
            FROM (SELECT DISTINCT ON (g.monitor_id, g.slice) g.*
                    FROM drift.grafana_results g
                   WHERE g.monitor_id = ANY (monitor_ids)
                   ORDER BY g.monitor_id, g.slice, g.run_at DESC, g.result_id DESC) x
           ORDER BY x.state = 'firing' DESC, x.monitor, x.slice
           LIMIT max_rows) l
$fn$;
COMMENT ON FUNCTION drift.report_results_table(bigint[], integer) IS
  'HTML table of the latest result per slice of the given (visible) monitors, firing first';

-- Whole-model checks (SPEC section 9): for each selected model monitor
-- (metric dataset_drift), the per-column table of its latest result since
-- `since` (drift.model_results; of a sliced monitor, the latest slice's,
-- named), drifted columns first by rank, between the histograms and the
-- results table.  Empty when no model monitor has such a result.
CREATE FUNCTION drift.report_dataset_section(monitor_ids bigint[], since timestamptz)
  RETURNS text
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT coalesce('<section class="model"><h2>Whole-model checks</h2>'
                  || string_agg(t.html, '' ORDER BY t.name) || '</section>', '')
    FROM (SELECT m.name,
                 format('<h3>%s%s</h3><p class="meta">run at %s: %s of %s columns drifted</p>',
                        drift.report_escape(m.name),
                        CASE WHEN r.slice IS NOT NULL AND r.slice <> '{}'::jsonb
                             THEN ', slice ' || drift.report_escape(drift.slice_label(r.slice)) ELSE '' END,
                        to_char(r.run_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
                        count(*) FILTER (WHERE c.drifted), count(*))
                 || '<table class="model-columns"><thead><tr><th>rank</th><th>column</th>'
                 || '<th>kind</th><th>test</th><th>reason</th><th>statistic</th><th>p-value</th>'
                 || '<th>adjusted p</th><th>threshold</th><th>drifted</th><th>NULL rate</th>'
                 || '<th>out of range</th><th>unseen</th></tr></thead><tbody>'
                 || string_agg(format('<tr%s><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>'
                                      '<td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>'
                                      '<td>%s</td><td>%s</td><td>%s</td></tr>',
                                      CASE WHEN c.drifted THEN ' class="drifted"' ELSE '' END,
                                      coalesce(c.rank::text, '-'), drift.report_escape(c.column_name),
                                      drift.report_escape(c.column_kind), drift.report_escape(c.test),
                                      drift.report_escape(c.reason), drift.report_number(c.statistic),
                                      drift.report_number(c.p_value),
                                      drift.report_number(c.adjusted_p_value),
                                      drift.report_number(c.threshold),
                                      CASE WHEN c.drifted THEN 'yes' ELSE 'no' END,
                                      drift.report_number(c.null_rate_current),
                                      drift.report_number(c.out_of_range_share),
                                      drift.report_number(c.unseen_category_share)),
                               '' ORDER BY c.drifted DESC, c.rank NULLS LAST, c.column_name)
                 || '</tbody></table>' AS html
            FROM drift.monitors m
            JOIN LATERAL (SELECT x.result_id, x.run_at, x.slice
                            FROM drift.results x
                           WHERE x.monitor_id = m.monitor_id
                             AND (since IS NULL OR x.run_at >= since)
                             AND EXISTS (SELECT 1 FROM drift.model_results y
                                          WHERE y.result_id = x.result_id)
                           ORDER BY x.run_at DESC, x.result_id DESC LIMIT 1) r ON true
            JOIN drift.model_results c ON c.result_id = r.result_id
           WHERE m.monitor_id = ANY (monitor_ids) AND m.metric = 'dataset_drift'
           GROUP BY m.name, r.run_at, r.slice) t
$fn$;
COMMENT ON FUNCTION drift.report_dataset_section(bigint[], timestamptz) IS
  'Whole-model section of drift.report: per model monitor, the per-column table of its latest '
  'run (test, reason, statistic, p-values, threshold, drifted, integrity), drifted first by rank';

-- The page's style sheet (no '<' or '&', so the page stays well-formed XML).
CREATE FUNCTION drift.report_style() RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT $css$
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; margin: 24px 32px;
       color: #1d2430; background: #ffffff; }
h1 { font-size: 24px; margin: 0 0 4px 0; }
h2 { font-size: 18px; margin: 28px 0 6px 0; border-bottom: 1px solid #d8dde6; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 4px 0; }
p.meta, p.note, figcaption, p.empty { color: #566070; font-size: 13px; }
table { border-collapse: collapse; font-size: 12px; margin: 8px 0; }
th, td { border: 1px solid #d8dde6; padding: 3px 7px; text-align: left; }
th { background: #eef1f6; }
.state { padding: 1px 6px; border-radius: 8px; font-size: 12px; background: #e6e9ef; }
.state.firing { background: #d62728; color: #ffffff; }
.state.error { background: #7f7f7f; color: #ffffff; }
.state.ok, .state.resolved { background: #2ca02c; color: #ffffff; }
.state.pending { background: #ffbf00; }
svg text { font-size: 11px; fill: #3b4454; }
.plot { fill: #fbfcfe; stroke: #b8c0cc; }
.grid { stroke: #e3e7ee; }
.ylab { text-anchor: end; }
.blab { font-size: 10px; }
.axis { font-size: 12px; }
.thlab { text-anchor: end; fill: #d62728; }
.threshold { stroke: #d62728; stroke-width: 1.5; stroke-dasharray: 6 4; }
.series { fill: none; stroke-width: 2; }
.point { fill: #ffffff; stroke-width: 1.5; }
.breach { fill: #d62728; stroke-width: 1.5; }
tr.drifted td { background: #fde8e8; }
.fired { fill: #d62728; }
.resolved { fill: #2ca02c; }
.errmark { fill: #7f7f7f; }
.base { fill: #5b7fa6; }
.cur { fill: #ff7f0e; }
p.legend { font-size: 12px; margin: 2px 0 10px 64px; }
.key { margin-right: 14px; white-space: nowrap; }
.swatch, .mark { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
.swatch.base { background: #5b7fa6; }
.swatch.cur { background: #ff7f0e; }
.fired-key { background: #d62728; clip-path: polygon(50% 0, 100% 100%, 0 100%); }
.resolved-key { background: #2ca02c; border-radius: 5px; }
.breach-key { background: #d62728; border-radius: 5px; }
.dists { display: flex; flex-wrap: wrap; gap: 8px 24px; }
figure.dist { margin: 0; }
figcaption { max-width: 460px; }
$css$::text
$fn$;
COMMENT ON FUNCTION drift.report_style() IS 'The inline style sheet of drift.report';

-- ---------------------------------------------------------------------------
-- The page
-- ---------------------------------------------------------------------------
--
-- monitors NULL covers every monitor the caller can see; named monitors must
-- all be visible (an admin naming a name that several roles use gets each of
-- them).  since limits the charts and the alert marks to later windows.
CREATE FUNCTION drift.report(monitors text[] DEFAULT NULL, since timestamptz DEFAULT NULL,
                             title text DEFAULT 'pg_drift report', bins integer DEFAULT 20)
  RETURNS text
  LANGUAGE plpgsql STABLE
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  ids     bigint[];
  missing text[];
  m       drift.monitors;
  page    text;
BEGIN
  IF bins IS NULL OR bins < 2 OR bins > 200 THEN
    RAISE EXCEPTION 'bins must be between 2 and 200'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF array_position(monitors, NULL) IS NOT NULL THEN
    RAISE EXCEPTION 'monitor names must not be NULL'
      USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Pass NULL instead of the array to report every monitor you can see.';
  END IF;
  SELECT array_agg(u.name ORDER BY u.name) INTO missing
    FROM unnest(monitors) AS u(name)
   WHERE NOT EXISTS (SELECT 1 FROM drift.monitors x WHERE x.name = u.name);
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'monitor "%" does not exist', missing[1]
      USING ERRCODE = 'undefined_object',
            DETAIL = format('Monitors unknown to role %s: %s.', current_user,
                            array_to_string(missing, ', ')),
            HINT = 'drift.monitor_status lists the monitors you can see.';
  END IF;
  SELECT coalesce(array_agg(x.monitor_id ORDER BY x.name, x.owner), '{}') INTO ids
    FROM drift.monitors x WHERE monitors IS NULL OR x.name = ANY (monitors);

  page := '<!DOCTYPE html>' || E'\n' || '<html lang="en"><head><meta charset="utf-8"/>'
    || '<title>' || drift.report_escape(title) || '</title>'
    || '<style>' || drift.report_style() || '</style></head><body>'
    || '<h1>' || drift.report_escape(title) || '</h1>'
    || format('<p class="meta">Generated %s UTC by %s in database %s; %s monitors%s.</p>',
              to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
              drift.report_escape(current_user), drift.report_escape(current_database()),
              cardinality(ids),
              CASE WHEN since IS NULL THEN ', all kept results'
                   ELSE ', results since ' || to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') END);

  IF cardinality(ids) = 0 THEN
    page := page || '<p class="empty">You have no monitors to report on '
                 || '(drift.create_monitor creates one).</p>';
  END IF;

  -- per monitor: what it checks, its state, and its metric over time
  FOR m IN SELECT * FROM drift.monitors x WHERE x.monitor_id = ANY (ids) ORDER BY x.name, x.owner LOOP
    page := page || format('<section class="monitor" id="monitor-%s"><h2>%s <span class="state %s">%s</span></h2>',
                           m.monitor_id, drift.report_escape(m.name),
                           drift.report_escape(m.state), drift.report_escape(m.state))
      || format('<p class="meta">%s of %s.%s on %s%s, threshold %s%s, every %s; owner %s%s.</p>',
                drift.report_escape(m.metric), drift.report_escape(m.relation_name),
                drift.report_escape(m.column_name),
                CASE WHEN m.baseline IS NOT NULL THEN 'baseline ' || drift.report_escape(m.baseline)
                     ELSE drift.report_escape(replace(m.compare_to, '_', ' ')) END,
                CASE WHEN m.window_size IS NOT NULL
                     THEN ', windows of ' || drift.report_escape(m.window_size::text) ELSE '' END,
                CASE WHEN m.lower_bound IS NOT NULL OR m.upper_bound IS NOT NULL
                     THEN format('[%s, %s]', drift.report_number(m.lower_bound),
                                 drift.report_number(m.upper_bound))
                     ELSE drift.report_number(m.threshold) END,
                CASE WHEN m.slice_by IS NOT NULL
                     THEN ', sliced by ' || drift.report_escape(array_to_string(m.slice_by, ', '))
                     ELSE '' END,
                drift.report_escape(m.schedule::text), drift.report_escape(m.owner),
                CASE WHEN m.paused THEN ', paused' ELSE '' END)
      || drift.report_metric_chart(m.monitor_id, since)
      || '</section>';
  END LOOP;

  -- baseline vs current, once per column, baseline and window shared by monitors
  IF cardinality(ids) > 0 THEN
    page := page || '<section class="distributions"><h2>Baseline vs current</h2><div class="dists">'
      || coalesce((SELECT string_agg(drift.report_distribution(d.first_id, bins), '' ORDER BY d.col, d.first_id)
                     FROM (SELECT min(x.monitor_id) AS first_id, x.column_name AS col
                             FROM drift.monitors x
                            WHERE x.monitor_id = ANY (ids) AND x.baseline IS NOT NULL
                            GROUP BY x.owner, x.baseline, x.column_name, x.relation_oid,
                                     x.time_column, x.window_size, x.filter) d), '')
      || '</div></section>'
      || drift.report_dataset_section(ids, since)
      || '<section class="latest"><h2>Latest results</h2>'
      || drift.report_results_table(ids) || '</section>';
  END IF;
  RETURN page || '</body></html>' || E'\n';
END
$fn$;
COMMENT ON FUNCTION drift.report(text[], timestamptz, text, integer) IS
  'One self-contained HTML page (inline SVG and CSS, no scripts, no external references) of '
  'the caller''s monitors (or those named): metric over time with threshold and alerts, '
  'baseline-vs-current histograms, latest results';
