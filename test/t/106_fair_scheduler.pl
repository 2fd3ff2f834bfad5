# One role cannot stall every monitor (security review, finding 4): role A
# has hundreds of 1-second monitors whose check fails and whose failure
# cannot be recorded either, and holds one of them locked in an open
# transaction; role B's healthy 1-second monitor keeps its schedule, A's
# monitors are pushed back anyway, and the server log stays small.
#
# How A's failures are made unrecordable: a trigger on drift.results (made
# by the superuser, standing for any failure of the result write: a full
# disk, a broken constraint, a NOTIFY the server refuses) raises for A's
# rows, so both drift._run_monitor's error result and drift._record_failure
# fail.  This does not depend on what the catalog accepts as a channel.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/lib";
use DriftTest;

my $broken = 600;
my $node = new_worker_node('fair',
	'pg_drift.database_check_interval = 1',
	'pg_drift.schedulers_per_database = 1');

$node->safe_psql('postgres', qq{
  CREATE EXTENSION pg_drift;
  CREATE ROLE regress_fair_a;
  CREATE ROLE regress_fair_b;
  CREATE TABLE a_data (x float8);
  INSERT INTO a_data SELECT g % 100 FROM generate_series(1, 200) g;
  ALTER TABLE a_data OWNER TO regress_fair_a;
  CREATE TABLE b_data (x float8);
  INSERT INTO b_data SELECT g % 100 FROM generate_series(1, 200) g;
  ALTER TABLE b_data OWNER TO regress_fair_b;

  SET ROLE regress_fair_a;
  SELECT count(*) FROM drift.capture_baseline('fair_a', 'a_data');
  SELECT count(drift.create_monitor('a_' || g, 'a_data', column_name => 'x',
                                    baseline => 'fair_a', schedule => '1 second',
                                    paused => true))
    FROM generate_series(1, $broken) g;
  RESET ROLE;
  DROP TABLE a_data;

  CREATE FUNCTION public.refuse_a_results() RETURNS trigger LANGUAGE plpgsql AS \$\$
  BEGIN
    IF NEW.monitor LIKE 'a\\_%' THEN
      RAISE EXCEPTION 'cannot write result of %', NEW.monitor;
    END IF;
    RETURN NEW;
  END \$\$;
  CREATE TRIGGER refuse_a BEFORE INSERT ON drift.results
    FOR EACH ROW EXECUTE FUNCTION public.refuse_a_results();

  SET ROLE regress_fair_b;
  SELECT count(*) FROM drift.capture_baseline('fair_b', 'b_data');
  SELECT drift.create_monitor('b_healthy', 'b_data', column_name => 'x',
                              baseline => 'fair_b', schedule => '1 second', paused => true);
  RESET ROLE;
});

# Role A also keeps one of its monitors, due in 5 s, locked in an open
# transaction: the scheduler must not wait for it.  (Ordinary roles may not
# UPDATE drift.monitors, so not SELECT ... FOR UPDATE either, but they may
# delete their monitors: an uncommitted DELETE holds the row lock.)
$node->safe_psql('postgres', q{
  UPDATE drift.monitors SET paused = false, next_run = now() + interval '5 seconds'
   WHERE name = 'a_1'});
my $locker = $node->background_psql('postgres');
$locker->query_safe(q{
  SET ROLE regress_fair_a;
  BEGIN;
  DELETE FROM drift.monitors WHERE name = 'a_1';
});

# Every other monitor is due now, A's first (older next_run).
my $log_start = -s $node->logfile;
$node->safe_psql('postgres', q{
  UPDATE drift.monitors SET paused = false,
         next_run = now() - CASE WHEN name LIKE 'a\_%' THEN interval '1 minute' ELSE interval '0' END
   WHERE name <> 'a_1';
  SELECT drift._wake_scheduler();
});
my $t0 = $node->safe_psql('postgres', 'SELECT now()');
my $window = 20;
sleep $window;

my ($runs, $max_lag) = split /\|/, $node->safe_psql('postgres', qq{
  SELECT count(*), coalesce(max(extract(epoch FROM run_at - scheduled_for)), 999)::int
    FROM drift.results WHERE monitor = 'b_healthy' AND run_at > '$t0'});
# On an idle machine B runs about $window times; allow for a loaded 2-core one.
cmp_ok($runs, '>=', $window / 3, "role B's 1-second monitor kept running ($runs runs in ${window}s)");
cmp_ok($max_lag, '<=', 4, "role B's monitor ran at most 4 s late (max lag $max_lag s)");

# A's monitors failed, nothing of theirs was written, yet each was pushed back.
my ($tried, $backed_off, $results) = split /\|/, $node->safe_psql('postgres', q{
  SELECT count(*) FILTER (WHERE consecutive_failures > 0),
         count(*) FILTER (WHERE next_run > last_run AND state = 'error'),
         (SELECT count(*) FROM drift.results WHERE monitor LIKE 'a\_%')
    FROM drift.monitors WHERE name LIKE 'a\_%'});
is($tried, $broken - 1, "every one of A's failing monitors but the locked one was tried");
is($backed_off, $broken - 1, "each was pushed back although nothing could be recorded");
is($results, 0, 'none of their results could be written');
# The back-off bounds A's retries: 1, 2, 4 s, then doubling from the schedule.
cmp_ok($node->safe_psql('postgres', q{
  SELECT max(consecutive_failures) FROM drift.monitors WHERE name LIKE 'a\_%'}),
	'<=', 10, "A's monitors were retried a bounded number of times");

# The log: a line for the first failure, then at most one a minute per owner.
my $log = slurp_file($node->logfile, $log_start);
my $failure_lines = () = $log =~ /pg_drift monitor "a_\d+" of role "regress_fair_a" failed/g;
my $all_lines = () = $log =~ /\n/g;
cmp_ok($failure_lines, '>=', 1, 'the first failure is logged');
cmp_ok($failure_lines, '<=', 2, "at most one failure line a minute for role A ($failure_lines)");
cmp_ok($all_lines, '<', 100, "the server log stayed small ($all_lines lines)");

$locker->query_safe('ROLLBACK');
$locker->quit;
$node->stop;
done_testing();
