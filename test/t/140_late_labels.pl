# Late labels under the background worker: a label-join monitor's window is
# judged again when its labels land (a new evaluation beside the first, with
# the new coverage), and not again while nothing changes; runs are counted by
# results, not by sleeping, so that a loaded machine only makes it slower.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/lib";
use DriftTest;

my $node = new_worker_node('late_labels', 'pg_drift.database_check_interval = 1');

# predictions of the last hour, labels in another table (none yet)
$node->safe_psql('postgres', q{
  CREATE EXTENSION pg_drift;
  CREATE TABLE preds AS
    SELECT g AS id, now() - interval '50 minutes' + g * interval '1 second' AS ts,
           g % 3 = 0 AS predicted
      FROM generate_series(1, 2000) g;
  CREATE TABLE labels (id int, is_fraud bool);
  SELECT drift.create_monitor('late', 'preds', metric => 'accuracy', column_name => 'predicted',
         label_column => 'is_fraud', lower_bound => 0.1, time_column => 'ts',
         window_size => '1 hour', schedule => '1 second', label_relation => 'labels',
         join_column => 'id', label_horizon => '1 day');
});

# The first window, judged without labels (coverage 0, no statistic).
ok(wait_true($node, 'postgres', q{SELECT count(*) >= 2 FROM drift.results WHERE monitor = 'late'}),
	'the worker runs the monitor');
my ($w1, $cov1) = split /\|/, $node->safe_psql('postgres', q{
  SELECT window_start, label_coverage FROM drift.results WHERE monitor = 'late'
   ORDER BY result_id LIMIT 1});
is($cov1, '0', 'the first window had no labels');
my $evals = qq{SELECT count(*) FROM drift.results WHERE monitor = 'late' AND window_start = '$w1'};

# Runs go on; nothing changed: the first window is not judged again.
my $n = $node->safe_psql('postgres', q{SELECT count(*) FROM drift.results WHERE monitor = 'late'});
ok(wait_true($node, 'postgres',
	qq{SELECT count(*) >= $n + 3 FROM drift.results WHERE monitor = 'late'}),
	'three more runs');
is($node->safe_psql('postgres', $evals), '1', 'no label change: the window is judged once');

# The labels land: the first window is judged again, fully labelled.
$node->safe_psql('postgres',
	q{INSERT INTO labels SELECT id, id % 2 = 0 FROM preds});
ok(wait_true($node, 'postgres', "SELECT ($evals) = 2"),
	'the window is judged again when its labels land');
is($node->safe_psql('postgres', qq{
  SELECT label_coverage || ' ' || (statistic IS NOT NULL) FROM drift.results
   WHERE monitor = 'late' AND window_start = '$w1' ORDER BY result_id DESC LIMIT 1}),
	'1 true', 'the new evaluation sees every label and has a statistic');
is($node->safe_psql('postgres', qq{
  SELECT count(*) FROM drift.results WHERE monitor = 'late' AND window_start = '$w1'
     AND label_coverage = 0}),
	'1', 'the first evaluation is kept');

# Nothing changes any more: more runs, still two evaluations.
$n = $node->safe_psql('postgres', q{SELECT count(*) FROM drift.results WHERE monitor = 'late'});
ok(wait_true($node, 'postgres',
	qq{SELECT count(*) >= $n + 3 FROM drift.results WHERE monitor = 'late'}),
	'three more runs after the labels');
is($node->safe_psql('postgres', $evals), '2', 'labels unchanged: not judged a third time');
is($node->safe_psql('postgres',
	q{SELECT last_label_coverage FROM drift.monitor_status WHERE name = 'late'}),
	'1', 'monitor_status shows the coverage');

$node->stop;
done_testing();
