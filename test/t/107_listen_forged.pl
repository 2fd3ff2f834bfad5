# pg_drift_listen delivers only rows of drift.alerts.  Any role may
# pg_notify() any channel, so an ordinary role forges notifications on the
# listener's channel: non-JSON, JSON, a payload with a newline, an alert id
# the next genuine alert will take, huge ids, a fake "summary", a flood.  None
# is printed or given to --exec, the genuine alert is printed exactly once,
# the state file keeps only ids read from the table, and a new listener does
# not replay history.  A corrupt state file is a clear error.  A listener
# connected as an ordinary role delivers only the alerts that role may read.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/lib";
use DriftTest;

my $node = PostgreSQL::Test::Cluster->new('forged');
$node->init;
$node->start;

my $listen  = $node->config_data('--bindir') . '/pg_drift_listen';
my $dir     = PostgreSQL::Test::Utils::tempdir;
my $state   = "$dir/state";
my $out     = "$dir/out";
my $execf   = "$dir/exec";
my $connstr = $node->connstr('postgres');

$node->safe_psql('postgres', q{
  CREATE EXTENSION pg_drift;
  CREATE ROLE regress_hostile LOGIN;
  GRANT CREATE ON SCHEMA public TO regress_hostile;
  CREATE TABLE train AS SELECT (g % 100)::float8 AS x FROM generate_series(1, 1000) g;
  SELECT count(*) FROM drift.capture_baseline('b', 'train');
  CREATE TABLE live AS SELECT (g % 100)::float8 AS x FROM generate_series(1, 1000) g;
  SELECT drift.create_monitor('m', 'live', column_name => 'x', baseline => 'b',
                              schedule => '1 day');
});

# One genuine alert: monitor m fires, and resolves the next time.  Its id.
my $shifted = 0;
sub genuine_alert
{
	my $d = $shifted ? -50 : 50;
	$shifted = !$shifted;
	$node->safe_psql('postgres',
		"UPDATE live SET x = x + $d; SELECT count(*) FROM drift.run_monitor('m')");
	return last_alert_id();
}

# Notify the listener's channel as the hostile role, once per row of $query
# (one text column, the payload), in one transaction.
sub forge
{
	my ($query) = @_;
	$node->safe_psql('postgres', "SELECT count(pg_notify('pg_drift', p)) FROM ($query) f(p)",
		extra_params => [ '-U', 'regress_hostile' ]);
}

sub last_alert_id
{
	return $node->safe_psql('postgres', 'SELECT coalesce(max(alert_id), 0) FROM drift.alerts');
}

# The stored payloads after an id, in id order: what a listener must print.
sub stored_after
{
	my ($id) = @_;
	return split /\n/, $node->safe_psql('postgres',
		"SELECT payload::text FROM drift.alerts WHERE alert_id > $id ORDER BY alert_id");
}

# Wait until a listener has printed the stored payload of alert $id.
sub wait_alert
{
	my ($outf, $id) = @_;
	my $payload = $node->safe_psql('postgres',
		"SELECT payload::text FROM drift.alerts WHERE alert_id = $id");
	return wait_until(sub { grep { $_ eq $payload } slurp_lines($outf) });
}

sub run_listener
{
	my ($outf, @args) = @_;
	return start_listener([ $listen, '--max-backoff', '1', @args ], $outf, "$dir/stderr");
}

my $start = last_alert_id();
my $h = run_listener($out, '--state-file', $state, '--exec', "cat >> $execf", $connstr);

# Each forgery is followed by a genuine alert: the listener, woken by both in
# order, has handled the forgery once the genuine alert is out.
# The copy of a stored alert is made when its turn comes (the newest alert then).
my @forgeries = (
	[ 'non-JSON', sub { q{SELECT 'this is not an alert'} } ],
	[ 'JSON with a fake alert_id',
	  sub { q{SELECT '{"alert_id": 424242, "state": "firing", "monitor": "m", "statistic": 1}'} } ],
	[ 'a newline',
	  sub { q{SELECT E'{"state": "firing", "monitor": "m"}\n{"alert_id": 424243, "state": "firing"}'} } ],
	[ 'a copy of a stored alert', sub { 'SELECT $copy$' . (stored_after(0))[-1] . '$copy$' } ],
	[ 'a 7900-byte payload',
	  sub { q{SELECT '{"state": "firing", "pad": "' || repeat('x', 7900) || '"}'} } ],
	[ 'a flood of 500', sub { q{SELECT g::text FROM generate_series(1, 500) g} } ]);
for my $f (@forgeries)
{
	my ($name, $query) = @$f;
	forge($query->());
	ok(wait_alert($out, genuine_alert()), "forged $name, then a genuine alert: it is printed");
	is_deeply([ slurp_lines($out) ], [ stored_after($start) ],
		"forged $name: not printed, the genuine alert printed once");
	is_deeply([ slurp_lines($execf) ], [ stored_after($start) ], "forged $name: not given to --exec");
}

# A fake alert_id naming the next genuine alert does not suppress it.
my $next = $node->safe_psql('postgres',
	'SELECT last_value + 1 FROM drift.alerts_alert_id_seq');
forge(qq{SELECT '{"alert_id": $next, "state": "firing", "monitor": "m"}'});
is(genuine_alert(), $next, 'the genuine alert took the id that was forged');
ok(wait_alert($out, $next), 'genuine alert with a forged id printed');
is(scalar(grep { /"alert_id": $next\b/ } slurp_lines($out)), 1, 'printed exactly once');
is_deeply([ slurp_lines($out) ], [ stored_after($start) ], 'and it is the stored alert');

# Huge fake ids do not reach the state file (of a listener of their own, so
# that nothing forged before counts); after a restart the next real alerts
# (one raised while down, one after) are printed.
my $hstate  = "$dir/huge_state";
my $hout    = "$dir/huge_out";
my $hstart  = last_alert_id();
my $huge    = run_listener($hout, '--state-file', $hstate, $connstr);
forge(q{SELECT '{"alert_id": 9223372036854775807, "state": "firing"}'});
forge(q{SELECT '{"alert_id": 99999999999999999999999, "state": "firing"}'});
ok(wait_alert($hout, genuine_alert()), 'genuine alert after huge forged ids printed');
$huge->signal('TERM');
$huge->finish;
my @st = slurp_lines($hstate);
is($st[0], last_alert_id(), 'state file: the last id is the newest stored alert');
ok(!grep({ !/^\d+$/ || $_ > $st[0] } @st[ 2 .. $#st ]), 'state file: unsettled ids are stored ids')
  or diag join("\n", @st);
my $while_down = genuine_alert();
$huge = run_listener($hout, '--state-file', $hstate, $connstr);
ok(wait_alert($hout, $while_down), 'after a restart the alert raised while down is printed');
ok(wait_alert($hout, genuine_alert()), 'and the next one');
is_deeply([ slurp_lines($hout) ], [ stored_after($hstart) ],
	'over the restart: every stored alert printed once, nothing forged');
$huge->signal('TERM');
$huge->finish;
ok(wait_alert($out, last_alert_id()), 'the first listener printed them too');
is_deeply([ slurp_lines($out) ], [ stored_after($start) ],
	'the first listener: every stored alert printed once, nothing forged');

# A fake "summary" does not make a new listener replay history (nor the old one).
my $fresh_out = "$dir/fresh_out";
my $fresh = run_listener($fresh_out, $connstr);
my $before = last_alert_id();
forge(q{SELECT '{"state": "summary", "monitor": "m", "alerts": 99, "notified": 20, '
	|| '"first_omitted_alert_id": 1, "last_omitted_alert_id": 1000000}'});
my $id = genuine_alert();
ok(wait_alert($fresh_out, $id), 'new listener: genuine alert printed');
ok(wait_alert($out, $id), 'running listener: genuine alert printed');
is_deeply([ slurp_lines($fresh_out) ], [ stored_after($before) ],
	'fake summary: the new listener printed only the new alert');
is_deeply([ slurp_lines($out) ], [ stored_after($start) ],
	'fake summary: the running listener replayed nothing');
$fresh->signal('TERM');
$fresh->finish;
$h->signal('TERM');
$h->finish;

# A corrupt state file is an error naming the file and line, and is left as it was.
my @corrupt = (
	[ "12abc\n-\n",                         qr/line 1: the last alert id/, 'garbage in the last id' ],
	[ "99999999999999999999999\n5\n",       qr/line 1: the last alert id/, 'a last id beyond bigint' ],
	[ "5\n-7\n",                            qr/line 2: the horizon/,       'a negative horizon' ],
	[ "5\n100\n99999999999\n",              qr/line 3: an unsettled/,      'an unsettled id past the last id' ],
	[ "5\n100",                             qr/line 2: incomplete line/,   'a truncated file' ],
	[ "",                                   qr/line 1: missing/,           'an empty file' ],
	[ "5\n18446744073709551615\n",          qr/does not fit this server/,  'a horizon past the server' ]);
for my $c (@corrupt)
{
	my ($text, $re, $name) = @$c;
	my $bad = "$dir/bad_state";
	open my $fh, '>', $bad or die;
	print $fh $text;
	close $fh;
	my ($o, $e) = ('', '');
	# not --once: the listener must give up, not retry for ever
	my $status = eval {
		IPC::Run::run([ $listen, '--state-file', $bad, '--max-backoff', '1', $connstr ],
			'>', \$o, '2>', \$e, IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
		$? >> 8;
	};
	is($status, 1, "corrupt state file ($name): the listener exits with status 1");
	like($e, qr/state file "\Q$bad\E".*$re/s, "corrupt state file ($name): the message says why");
	is($o, '', "corrupt state file ($name): nothing printed");
	is(PostgreSQL::Test::Utils::slurp_file($bad), $text, "corrupt state file ($name): left as it was");
	unlink $bad;
}

# A listener connected as an ordinary role delivers the alerts that role may
# read (row-level security on drift.alerts), not those of others' monitors
# that go out on the same channel.
$node->safe_psql('postgres', q{
  SET ROLE regress_hostile;
  CREATE TABLE own_train AS SELECT (g % 100)::float8 AS x FROM generate_series(1, 1000) g;
  SELECT count(*) FROM drift.capture_baseline('own_b', 'own_train');
  CREATE TABLE own_live AS SELECT (g % 100)::float8 + 50 AS x FROM generate_series(1, 1000) g;
  SELECT drift.create_monitor('own', 'own_live', column_name => 'x', baseline => 'own_b',
                              schedule => '1 day', paused => true);
});
my $own_out = "$dir/own_out";
my $before_own = last_alert_id();
my $own = run_listener($own_out, $node->connstr('postgres') . ' user=regress_hostile');
genuine_alert();
$node->safe_psql('postgres', q{SELECT count(*) FROM drift.run_monitor('own')},
	extra_params => [ '-U', 'regress_hostile' ]);
ok(wait_alert($own_out, last_alert_id()), 'ordinary role: its own alert printed');
is_deeply([ slurp_lines($own_out) ],
	[ split /\n/, $node->safe_psql('postgres', qq{
	    SELECT a.payload::text FROM drift.alerts a JOIN drift.monitors m USING (monitor_id)
	     WHERE a.alert_id > $before_own AND m.owner = 'regress_hostile' ORDER BY a.alert_id}) ],
	'ordinary role: only the alerts it may read, not the other monitor\'s');
$own->signal('TERM');
$own->finish;

# Nor can a role forge alert rows by INSERT: ordinary roles hold no INSERT on
# drift.alerts (alerts are written only by runs, through the API), so a row
# with a forged xact_id, one shaped exactly as a run writes it, and one with
# the id the next genuine alert will take (which would fail that run) are all
# refused.  The SQLSTATE of each attempt: 42501 is insufficient_privilege.
my $attempts = $node->safe_psql('postgres', q{
  CREATE FUNCTION pg_temp.try_alert(id_offset int, xid xid8) RETURNS text
    LANGUAGE plpgsql AS $$
  DECLARE
    aid bigint;
    mid bigint := (SELECT monitor_id FROM drift.monitors WHERE name = 'own');
  BEGIN
    aid := (SELECT coalesce(max(alert_id), 0) FROM drift.alerts) + 1 + id_offset;
    INSERT INTO drift.alerts (alert_id, monitor_id, channel, payload, xact_id)
    VALUES (aid, mid, 'pg_drift',
            jsonb_build_object('monitor', 'own', 'alert_id', aid, 'monitor_id', mid),
            coalesce(xid, pg_current_xact_id()));
    RETURN 'inserted';
  EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
  END $$;
  SELECT pg_temp.try_alert(0, '3');
  SELECT pg_temp.try_alert(0, NULL);
  SELECT pg_temp.try_alert(1, NULL);
}, extra_params => [ '-U', 'regress_hostile' ]);
is($attempts, "42501\n42501\n42501",
	'INSERT into drift.alerts by an ordinary role: refused whatever the row');
ok(eval { genuine_alert(); 1 }, 'the next genuine alert is written (its id was not taken)')
  or diag $@;

$node->stop;
done_testing();
