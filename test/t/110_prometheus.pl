# pg_drift_listen --metrics against Debian's real Prometheus: a Prometheus on
# a free 127.0.0.1 port scrapes the listener every second; its HTTP API must
# return every series with the values the database holds (statistic,
# p-value, threshold, state, run times, alert counters), label values with
# quotes and backslashes intact; the exposition passes `promtool check
# metrics`; the example rules pass `promtool check rules` and, loaded into
# that Prometheus, record and fire.  A scrape while the server is down
# answers pg_drift_up 0 and the listener keeps running; a listener connected
# as an ordinary role shows only that role's monitors; a bad --metrics
# address is refused, a port in use is reported and retried.
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

my ($node, $listen, $dir, $connstr) = listener_node('prom');
my $rules   = "$FindBin::RealBin/../../examples/prometheus/pg_drift.rules.yml";

# Two monitors: one over the whole table, and one (a name needing escapes)
# sliced by k where only slice k = 0 drifts.  Each runs twice: no drift,
# then drift.
$node->safe_psql('postgres', q{
  CREATE EXTENSION pg_drift;
  CREATE TABLE train AS SELECT (g % 100)::float8 AS x FROM generate_series(1, 3000) g;
  SELECT count(*) FROM drift.capture_baseline('b', 'train');
  CREATE TABLE live AS SELECT (g % 100)::float8 AS x, g % 3 AS k FROM generate_series(1, 3000) g;
  SELECT drift.create_monitor('whole', 'live', column_name => 'x', baseline => 'b',
                              schedule => '1 day');
  SELECT drift.create_monitor('q"uo\te', 'live', column_name => 'x', baseline => 'b',
                              schedule => '1 day', slice_by => ARRAY['k']);
  SELECT count(*) FROM drift.run_monitor('whole');
  SELECT count(*) FROM drift.run_monitor('q"uo\te');
  UPDATE live SET x = x + 30 WHERE k = 0;
});
$node->safe_psql('postgres', q{
  SELECT count(*) FROM drift.run_monitor('whole');
  SELECT count(*) FROM drift.run_monitor('q"uo\te');
});
is($node->safe_psql('postgres',
	q{SELECT string_agg(payload->>'monitor' || ':' || coalesce(payload->>'slice', '') || ':'
	                    || (payload->>'state'), ' ' ORDER BY alert_id) FROM drift.alerts}),
	'whole:{}:firing q"uo\te:{"k": 0}:firing',
	'set-up: the whole table and slice k = 0 fire');

# --- the listener serving /metrics
my $mport = free_port();
my $h = track(start_listener([ $listen, '--metrics', "127.0.0.1:$mport", '--max-backoff', '1',
		$connstr ], "$dir/listen.out", "$dir/listen.err"));
ok(wait_until(sub { (http_get("http://127.0.0.1:$mport/metrics"))[0] == 200 }),
	'/metrics answers');
my ($status, $text, $headers) = http_get("http://127.0.0.1:$mport/metrics");
like($headers->{'content-type'}, qr{^text/plain; version=0\.0\.4}, 'text exposition format 0.0.4');
is((http_get("http://127.0.0.1:$mport/other"))[0], 404, 'other paths: 404');

# the text passes promtool's parser and linter (HELP/TYPE, names, escapes)
open my $fh, '>', "$dir/metrics.txt" or die;
print $fh $text;
close $fh;
my ($pt_out, $pt_err);
IPC::Run::run([ 'promtool', 'check', 'metrics' ], '<', "$dir/metrics.txt",
	'>', \$pt_out, '2>', \$pt_err);
is($? >> 8, 0, 'promtool check metrics: exit 0') or diag($pt_out . $pt_err);
is($pt_out . $pt_err, '', 'promtool check metrics: no lint problem');
for my $m (qw(pg_drift_statistic pg_drift_p_value pg_drift_threshold pg_drift_state
	pg_drift_last_run_timestamp_seconds pg_drift_alerts_total pg_drift_monitor_state
	pg_drift_monitor_last_run_timestamp_seconds pg_drift_up))
{
	like($text, qr/^# HELP $m .+\n# TYPE $m (gauge|counter)\n/m, "HELP and TYPE for $m");
}
like($text, qr/^pg_drift_statistic\{monitor="q\\"uo\\\\te",/m,
	'label values escape quotes and backslashes');

# --- the example rules
my ($r_out, $r_err);
IPC::Run::run([ 'promtool', 'check', 'rules', $rules ], '>', \$r_out, '2>', \$r_err);
is($? >> 8, 0, 'promtool check rules examples/prometheus/pg_drift.rules.yml')
	or diag($r_out . $r_err);

# --- a real Prometheus scraping the listener every second
my $pport = free_port();
open $fh, '>', "$dir/prometheus.yml" or die;
print $fh <<"EOF";
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - '$rules'
scrape_configs:
  - job_name: pg_drift
    static_configs:
      - targets: ['127.0.0.1:$mport']
EOF
close $fh;
my $prom = start_server([ 'prometheus', "--config.file=$dir/prometheus.yml",
		"--storage.tsdb.path=$dir/tsdb", "--web.listen-address=127.0.0.1:$pport" ],
	"$dir/prometheus.log");

# Prometheus's answer to an instant query: { "label=value,..." => value },
# without the labels the scrape adds (instance, job).
sub query
{
	my ($q) = @_;
	$q =~ s/([^A-Za-z0-9_.~-])/sprintf('%%%02X', ord $1)/ge;
	my $r = http_json("http://127.0.0.1:$pport/api/v1/query?query=$q");
	return undef unless $r && $r->{status} eq 'success';
	my %v;
	for my $s (@{ $r->{data}{result} })
	{
		my $m = $s->{metric};
		my $key = join ',', map { "$_=$m->{$_}" } grep { !/^(__name__|instance|job)$/ } sort keys %$m;
		$v{$key} = $s->{value}[1];
	}
	return \%v;
}

# Wait until a query returns $n series; the last answer.
sub query_n
{
	my ($q, $n) = @_;
	my $v;
	wait_until(sub { $v = query($q); $v && scalar(keys %$v) == $n });
	return $v // {};
}

# Compare Prometheus's series with the database's rows (key => value).
sub same_values
{
	my ($got, $want, $what) = @_;
	my @bad = grep { !defined $got->{$_} || abs($got->{$_} - $want->{$_}) > 1e-9 * (1 + abs($want->{$_})) }
		keys %$want;
	ok(!@bad && keys %$got == keys %$want, $what)
		or diag(explain({ got => $got, want => $want }));
}

# the results of each monitor's newest run, keyed as query() keys them
sub expected
{
	my ($col) = @_;
	my %w;
	for my $row (split /\n/, $node->safe_psql('postgres', qq{
	  SELECT 'column=x,metric=ks,monitor=' || m.name || ',owner=' || m.owner
	         || ',slice=' || CASE WHEN r.slice = '{}' THEN '' ELSE r.slice::text END,
	         $col
	    FROM drift.results r JOIN drift.monitors m USING (monitor_id)
	   WHERE r.run_at = (SELECT max(x.run_at) FROM drift.results x
	                      WHERE x.monitor_id = r.monitor_id)}))
	{
		my ($k, $v) = split /\|/, $row;
		# Prometheus drops empty labels
		$k =~ s/,slice=$//;
		$w{$k} = $v;
	}
	return \%w;
}

my $up = query_n('pg_drift_up', 1);
is((values %$up)[0], 1, 'Prometheus scraped the listener: pg_drift_up 1');
same_values(query_n('pg_drift_statistic', 4), expected('r.statistic'),
	'pg_drift_statistic per monitor and slice equals drift.results');
same_values(query_n('pg_drift_p_value', 4), expected('r.p_value'), 'pg_drift_p_value');
same_values(query_n('pg_drift_threshold', 4), expected('r.threshold'), 'pg_drift_threshold');
same_values(query_n('pg_drift_state', 4),
	expected(q{CASE r.state WHEN 'firing' THEN 1 WHEN 'error' THEN 2 ELSE 0 END}),
	'pg_drift_state (1 firing, 0 ok)');
same_values(query_n('pg_drift_last_run_timestamp_seconds', 4),
	expected('extract(epoch FROM r.run_at)'), 'pg_drift_last_run_timestamp_seconds');
my $state = query_n('pg_drift_state == 1', 2);
is_deeply([ sort map { /slice=([^,]*)/ ? $1 : '' } keys %$state ], [ '', '{"k": 0}' ],
	'firing: the whole table and slice k = 0 only');
my $quoted = query_n('pg_drift_statistic{monitor="q\\"uo\\\\te"}', 3);
is(scalar(keys %$quoted), 3, 'a label value with a quote and a backslash reaches Prometheus intact');

my $fired = query_n('pg_drift_alerts_total{state="firing"}', 4);
is_deeply([ sort values %$fired ], [ 0, 0, 1, 1 ], 'alert counters: one firing alert each for two series');
is(query_n('pg_drift_alerts_total{state="firing",monitor="whole"}', 1)->{'column=x,monitor=whole,owner=' . $node->safe_psql('postgres', 'SELECT current_user')
	. ',state=firing'}, 1, 'counter labels: monitor, owner, column, state (no slice for a whole-table monitor)');

my $mstate = query_n('pg_drift_monitor_state', 2);
is_deeply([ sort values %$mstate ], [ 1, 1 ], 'pg_drift_monitor_state: both monitors firing');
my $last = query_n('pg_drift_monitor_last_run_timestamp_seconds{monitor="whole"}', 1);
cmp_ok(abs((values %$last)[0] - $node->safe_psql('postgres',
	q{SELECT extract(epoch FROM last_run) FROM drift.monitor_status WHERE name = 'whole'})), '<', 1e-3,
	'pg_drift_monitor_last_run_timestamp_seconds equals drift.monitor_status.last_run');

# the example rules, evaluated: recording rule and alerting rule
my $rec = query_n('pg_drift:firing_slices:count', 2);
is_deeply([ sort values %$rec ], [ 1, 1 ], 'recording rule pg_drift:firing_slices:count');
my $alerts = query_n('ALERTS{alertname="PgDriftSliceFiring",alertstate="firing"}', 2);
is(scalar(keys %$alerts), 2, 'alerting rule PgDriftSliceFiring fires for both breaching series');

# recovery: the next results reach Prometheus, the resolved counter moves
$node->safe_psql('postgres', q{
  UPDATE live SET x = x - 30 WHERE k = 0;
  SELECT count(*) FROM drift.run_monitor('whole');
  SELECT count(*) FROM drift.run_monitor('q"uo\te');
});
ok(wait_until(sub { my $v = query('pg_drift_state == 1'); $v && !%$v }), 'recovered: nothing firing');
my $resolved = query_n('pg_drift_alerts_total{state="resolved"} == 1', 2);
is(scalar(keys %$resolved), 2, 'resolved counter is 1 for the two series that recovered');

# --- the database is down: scrapes answer pg_drift_up 0; the listener lives on
$node->stop;
ok(wait_until(sub { my $v = query('pg_drift_up'); $v && (values %$v)[0] eq '0' }),
	'database down: pg_drift_up 0');
like((http_get("http://127.0.0.1:$mport/metrics"))[1], qr/^pg_drift_scrape_errors_total [1-9]/m,
	'failed scrapes are counted');
ok($h->pumpable, 'the listener keeps running without its database');
$node->start;
ok(wait_until(sub { my $v = query('pg_drift_up'); $v && (values %$v)[0] eq '1' }),
	'database back: pg_drift_up 1');

# --- what a scrape shows is what the listener's role may read
$node->safe_psql('postgres', q{
  CREATE ROLE regress_alice LOGIN;
  CREATE TABLE alice_t AS SELECT (g % 100)::float8 AS x FROM generate_series(1, 1000) g;
  ALTER TABLE alice_t OWNER TO regress_alice;
  SET ROLE regress_alice;
  SELECT count(*) FROM drift.capture_baseline('ab', 'alice_t');
  SELECT drift.create_monitor('alices', 'alice_t', column_name => 'x', baseline => 'ab',
                              schedule => '1 day');
  SELECT count(*) FROM drift.run_monitor('alices');
});
my $aport = free_port();
my $ha = track(start_listener([ $listen, '--metrics', "127.0.0.1:$aport",
		"$connstr user=regress_alice" ], "$dir/alice.out", "$dir/alice.err"));
ok(wait_until(sub { (http_get("http://127.0.0.1:$aport/metrics"))[0] == 200 }), 'alice\'s /metrics answers');
my $alice_text = (http_get("http://127.0.0.1:$aport/metrics"))[1];
my @owners = $alice_text =~ /owner="([^"]*)"/g;
ok(@owners > 0 && !grep({ $_ ne 'regress_alice' } @owners),
	'a listener connected as an ordinary role shows only that role\'s monitors (row-level security)');
like($alice_text, qr/^pg_drift_statistic\{monitor="alices",owner="regress_alice",column="x",slice="",metric="ks"\} 0$/m,
	'... with its result');
stop_server($ha);

# --- bad addresses
my ($out, $err);
IPC::Run::run([ $listen, '--metrics', 'no-port-here', $connstr ], '>', \$out, '2>', \$err);
is($? >> 8, 2, 'a --metrics address without a port: exit 2');
like($err, qr/invalid --metrics address "no-port-here"/, '... with a clear message');

# a port already taken (Prometheus's): reported, retried, the listener runs on
my $h2 = track(start_listener([ $listen, '--metrics', "127.0.0.1:$pport", '--max-backoff', '1',
		$connstr ], "$dir/busy.out", "$dir/busy.err"));
ok(wait_until(sub { grep { /retrying metrics in/ } slurp_lines("$dir/busy.err") }),
	'a port in use: reported and retried');
like(join("\n", slurp_lines("$dir/busy.err")), qr/could not serve metrics on "127\.0\.0\.1:$pport"/,
	'... naming the address');
ok($h2->pumpable, '... and the listener keeps running');

stop_server($_) for ($h2, $h, $prom);
is($h->full_result(0), 0, 'listener: clean exit on SIGTERM');
$node->stop;
done_testing();
