# pg_drift_listen --alertmanager against Debian's real Alertmanager on a free
# 127.0.0.1 port.  An alert raised while Alertmanager is not yet running is
# retried (and neither printed nor counted as delivered) until Alertmanager
# starts, then appears active with the labels and annotations of SPEC §11;
# the resolve ends it.  Restarting the listener re-posts nothing; an alert
# raised while it is down is posted once after the restart.  An Alertmanager
# URL that answers 404 is retried, not dropped: the listener stopped while
# retrying and restarted with the right URL delivers that alert.  Across all
# of it Alertmanager received each alert exactly once (its own counter
# alertmanager_alerts_received_total), and stdout shows every stored alert
# once, in order.  With --alertmanager-refresh, a restarted Alertmanager (it
# keeps no alerts) gets a still-firing breach again, and a resolved one is
# not re-posted.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/lib";
use DriftTest;
use HttpTest;

my ($node, $listen, $dir, $connstr) = listener_node('am');
my $state   = "$dir/state";
my $out     = "$dir/out";
my $err     = "$dir/err";
my $amport  = free_port();
my $am_url  = "http://127.0.0.1:$amport";

$node->safe_psql('postgres', q{
  CREATE EXTENSION pg_drift;
  CREATE TABLE train AS SELECT (g % 100)::float8 AS x FROM generate_series(1, 1000) g;
  SELECT count(*) FROM drift.capture_baseline('b', 'train');
  CREATE TABLE live AS SELECT (g % 100)::float8 AS x FROM generate_series(1, 1000) g;
  SELECT drift.create_monitor('m', 'live', column_name => 'x', baseline => 'b',
                              schedule => '1 day');
  SELECT count(*) FROM drift.run_monitor('m');
});

# Shift the data (firing) or shift it back (resolved) and run the monitor.
sub shift_data
{
	my ($by) = @_;
	$node->safe_psql('postgres',
		"UPDATE live SET x = x + $by; SELECT count(*) FROM drift.run_monitor('m');");
}

sub newest_alert_id
{
	return $node->safe_psql('postgres', 'SELECT max(alert_id) FROM drift.alerts');
}

# Start the listener posting to $url.  It says it listens once its first
# catch-up is delivered; with $nowait, do not wait for that (a catch-up that
# Alertmanager refuses keeps it retrying).
sub run_listener
{
	my ($url, $nowait) = @_;
	my @cmd = ($listen, '--alertmanager', $url, '--state-file', $state, '--max-backoff', '1',
		$connstr);
	my $h = $nowait
	  ? IPC::Run::start(\@cmd, '<', \undef, '>>', $out, '2>>', $err)
	  : start_listener(\@cmd, $out, $err);
	return track($h);
}

sub stop_listener
{
	my ($h) = @_;
	stop_server($h);
	is($h->full_result(0), 0, 'listener: clean exit on SIGTERM');
}

# Alertmanager's active alerts of monitor m.
sub active_alerts
{
	my $r = http_json("$am_url/api/v2/alerts?filter=monitor%3D%22m%22");
	return $r ? @$r : ();
}

# How many alerts Alertmanager received, by status (its own counter).
sub received
{
	my ($status) = @_;
	my ($code, $text) = http_get("$am_url/metrics");
	return undef unless $code == 200;
	return metric_sum($text, 'alertmanager_alerts_received_total', qr/status="$status"/);
}

sub stderr_since
{
	my ($n) = @_;
	my @l = slurp_lines($err);
	return join "\n", @l[ $n .. $#l ];
}

# --- Alertmanager not running yet: the alert waits, retried
my $h = run_listener($am_url);
shift_data(50);
my $fire_id = newest_alert_id();
ok(wait_until(sub { stderr_since(0) =~ /could not post alert $fire_id to \Q$am_url\E\/api\/v2\/alerts: .+\n.*retrying alert $fire_id in/ }),
	'unreachable Alertmanager: a clear message, then a retry');
ok(wait_until(sub { (() = stderr_since(0) =~ /retrying alert $fire_id/g) >= 2 }), '... and retried again');
is(scalar(slurp_lines($out)), 0, 'the alert is not printed before Alertmanager took it');
ok($h->pumpable, 'the listener keeps running');

# --- Alertmanager starts: the alert arrives
open my $fh, '>', "$dir/am.yml" or die;
print $fh "route:\n  receiver: 'null'\nreceivers:\n  - name: 'null'\n";
close $fh;
my $am = start_server([ 'prometheus-alertmanager', "--config.file=$dir/am.yml",
		"--storage.path=$dir/am-data", "--web.listen-address=127.0.0.1:$amport",
		'--cluster.listen-address=' ], "$dir/am.log");
my @active;
ok(wait_until(sub { @active = active_alerts(); @active == 1 }),
	'Alertmanager started later still gets the alert (retried)')
	or diag(join("\n", slurp_lines("$dir/am.log")));
my $alert = $active[0] // {};
is($alert->{status}{state}, 'active', 'the alert is active');
is_deeply($alert->{labels},
	{ alertname => 'PgDriftBreach', monitor => 'm', column => 'x', metric => 'ks',
	  severity => 'warning' },
	'labels: alertname, monitor, column, metric, severity (no slice for a whole-table monitor)');
my ($stat, $p, $thr, $run_at) = split /\|/, $node->safe_psql('postgres',
	"SELECT payload->>'statistic', payload->>'p_value', payload->>'threshold', payload->>'run_at'
	   FROM drift.alerts WHERE alert_id = $fire_id");
cmp_ok(abs($alert->{annotations}{statistic} - $stat), '<=', 1e-9 * abs($stat), 'annotation statistic');
cmp_ok(abs($alert->{annotations}{p_value} - $p), '<=', 1e-9 * abs($p), 'annotation p_value');
is($alert->{annotations}{threshold}, $thr, 'annotation threshold');
is($node->safe_psql('postgres',
	"SELECT abs(extract(epoch FROM '$run_at'::timestamptz - '$alert->{startsAt}'::timestamptz)) < 0.002"),
	't', 'startsAt is the run time');
ok(wait_lines($out, 1), 'printed once Alertmanager took it');
is(received('firing'), 1, 'Alertmanager received it once');
like(slurp_lines($state) ? (slurp_lines($state))[0] : '', qr/^$fire_id$/,
	'the state file moved past the alert once delivered');

# --- resolved
shift_data(-50);
ok(wait_until(sub { !active_alerts() }), 'the resolve ends the alert in Alertmanager');
is(received('resolved'), 1, 'Alertmanager received the resolve (endsAt) once');
ok(wait_lines($out, 2), 'resolve printed');

# --- restart: nothing re-posted
my $n_err = () = slurp_lines($err);
stop_listener($h);
$h = run_listener($am_url);
ok(wait_until(sub { stderr_since($n_err) =~ /listening on/ }), 'listener restarted');
sleep 2;
is(received('firing') + received('resolved'), 2, 'a restart re-posts nothing');

# --- an alert raised while the listener is down is posted once
stop_listener($h);
shift_data(50);
$h = run_listener($am_url);
ok(wait_until(sub { active_alerts() == 1 }), 'an alert raised while down is posted after the restart');
is(received('firing'), 2, '... once');

# --- an Alertmanager URL answering 404: retried, not dropped
stop_listener($h);
shift_data(-50);
my $resolve_id = newest_alert_id();
$n_err = () = slurp_lines($err);
$h = run_listener("$am_url/wrong", 1);
ok(wait_until(sub { stderr_since($n_err) =~ /answered 404 to alert $resolve_id/ }),
	'a 404 answer is reported');
ok(wait_until(sub { (() = stderr_since($n_err) =~ /retrying alert $resolve_id/g) >= 2 }),
	'... and retried');
stop_listener($h);
is(scalar(active_alerts()), 1, 'the alert is still active in Alertmanager');
$h = run_listener($am_url);
ok(wait_until(sub { !active_alerts() }), 'restarted with the right URL: the resolve is delivered');
is(received('resolved'), 2, '... once');

# --- over everything: each stored alert printed once, in order, and posted once
my @table = split /\n/, $node->safe_psql('postgres',
	"SELECT payload::text FROM drift.alerts WHERE alert_id >= $fire_id ORDER BY alert_id");
ok(wait_lines($out, scalar @table), 'every alert printed');
is_deeply([ slurp_lines($out) ], \@table, 'printed exactly the stored alerts, once each, in order');
is(received('firing') + received('resolved'), scalar @table, 'Alertmanager received each alert once');
is(http_json("$am_url/api/v2/status") ? 1 : 0, 1, 'Alertmanager still serves');

# --- --alertmanager-refresh: an Alertmanager that restarted gets the firing
# breach again; a resolved one is not re-posted
shift_data(50);
ok(wait_until(sub { active_alerts() == 1 }), 'firing again');
my $starts = (active_alerts())[0]{startsAt};
stop_listener($h);
stop_server($am);
$am = start_server([ 'prometheus-alertmanager', "--config.file=$dir/am.yml",
		"--storage.path=$dir/am-data", "--web.listen-address=127.0.0.1:$amport",
		'--cluster.listen-address=' ], "$dir/am.log");
ok(wait_until(sub { defined received('firing') }), 'Alertmanager restarted');
is(scalar(active_alerts()), 0, 'the restarted Alertmanager has forgotten the alert');
my @cmd = ($listen, '--alertmanager', $am_url, '--alertmanager-refresh', '1', '--state-file',
	$state, $connstr);
$h = track(start_listener(\@cmd, $out, $err));
ok(wait_until(sub { active_alerts() == 1 }), 'with --alertmanager-refresh the firing breach is posted again');
is((active_alerts())[0]{startsAt}, $starts, '... with its original startsAt');
ok(wait_until(sub { received('firing') >= 2 }), '... every second');
shift_data(-50);
ok(wait_until(sub { !active_alerts() }), 'resolved');
my $n_fired = received('firing');
sleep 3;
is(received('firing'), $n_fired, 'a resolved breach is not posted again');
is(scalar(active_alerts()), 0, '... and stays resolved');
stop_listener($h);
is_deeply([ slurp_lines($out) ], [ split /\n/, $node->safe_psql('postgres',
	"SELECT payload::text FROM drift.alerts WHERE alert_id >= $fire_id ORDER BY alert_id") ],
	'refreshes print nothing: stdout still has each alert once');

# --- options that can never work are refused at once
my ($o, $e);
IPC::Run::run([ $listen, '--alertmanager', 'ftp://example', $connstr ], '>', \$o, '2>', \$e);
is($? >> 8, 2, '--alertmanager with a non-HTTP URL: exit 2');
like($e, qr/invalid --alertmanager URL "ftp:\/\/example": it must start with http:\/\/ or https:\/\//,
	'... with a clear message');
IPC::Run::run([ $listen, '--alertmanager-refresh', '5', $connstr ], '>', \$o, '2>', \$e);
is($? >> 8, 2, '--alertmanager-refresh without --alertmanager: exit 2');
like($e, qr/--alertmanager-refresh needs --alertmanager/, '... with a clear message');
IPC::Run::run([ $listen, '--alertmanager', $am_url, '--alertmanager-refresh', '-1', $connstr ],
	'>', \$o, '2>', \$e);
is($? >> 8, 2, 'a negative --alertmanager-refresh: exit 2');

stop_server($am);
$node->stop;
done_testing();
