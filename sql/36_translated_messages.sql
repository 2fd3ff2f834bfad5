-- A monitor run decides by SQLSTATE, never by message text (security review,
-- finding 8: 0.1.0 recognised its timeout by SQLERRM LIKE '%statement
-- timeout%', so under German messages a timed-out check aborted run_monitor
-- instead of being recorded).  scripts/test.sh generates the de_DE.UTF-8
-- locale; PostgreSQL's own messages are translated by its catalogue.  What
-- happens is noted in a table and shown after RESET lc_messages, so that
-- this file's expected output holds no translated text.
CREATE TEMP TABLE tm_seen (step int, what text);
CREATE TABLE tm_data AS SELECT g::float8 AS x FROM generate_series(1, 200) g;
SELECT count(*) FROM drift.capture_baseline('tm_b', 'tm_data');
SELECT drift.create_monitor('tm_slow', 'tm_data', column_name => 'x', baseline => 'tm_b',
       filter => 'pg_catalog.pg_sleep(0.01) IS NOT NULL') > 0 AS created;
SELECT drift.create_monitor('tm_fail', 'tm_data', column_name => 'x', baseline => 'tm_b',
       filter => '1 / (x - x) > 0') > 0 AS created;

SET lc_messages = 'de_DE.UTF-8';
SET pg_drift.monitor_timeout = 200;

-- messages are German now
DO $$
BEGIN
  PERFORM 1 / 0;
EXCEPTION WHEN division_by_zero THEN
  INSERT INTO tm_seen VALUES (1, 'message translated: ' || (SQLERRM <> 'division by zero'));
END$$;

-- a check that runs past pg_drift.monitor_timeout is an error result, not an abort
INSERT INTO tm_seen
  SELECT 2, format('%s: %s, error recorded: %s', monitor, state, error IS NOT NULL)
    FROM drift.run_monitor('tm_slow');

-- a check that fails (with a translated message) is an error result too
INSERT INTO tm_seen
  SELECT 3, format('%s: %s, error recorded: %s', monitor, state, error IS NOT NULL)
    FROM drift.run_monitor('tm_fail');

-- the caller's own statement_timeout (57014) ends the statement and records nothing
SET statement_timeout = 100;
DO $$
BEGIN
  PERFORM count(*) FROM drift.run_monitor('tm_slow');
  INSERT INTO tm_seen VALUES (4, 'not cancelled');
EXCEPTION WHEN query_canceled THEN
  INSERT INTO tm_seen VALUES (4, 'cancelled by the caller: ' || SQLSTATE);
END$$;
RESET statement_timeout;

RESET pg_drift.monitor_timeout;
RESET lc_messages;
SELECT step, what FROM tm_seen ORDER BY step;
SELECT monitor, count(*) AS results FROM drift.results
 WHERE monitor IN ('tm_slow', 'tm_fail') GROUP BY 1 ORDER BY 1;
SELECT name, state, consecutive_failures FROM drift.monitors
 WHERE name IN ('tm_slow', 'tm_fail') ORDER BY 1;
SELECT drift.drop_monitor('tm_slow'), drift.drop_monitor('tm_fail'), drift.drop_baseline('tm_b');
DROP TABLE tm_data;
