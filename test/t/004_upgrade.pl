# Upgrading: a database that installed the released 0.1.0 (its frozen script,
# src/sql/releases/, checked byte for byte) and holds baselines, monitors,
# results and alerts is updated with ALTER EXTENSION pg_drift UPDATE.
# Afterwards its extension equals a fresh install of the current version
# object for object (test/sql/extension_objects.sql, compared kind by kind
# with a diff on failure), every row of every table pg_dump keeps for the
# user is still there unchanged, the baseline gives the same drift answers,
# the monitor still runs, and dumps taken before and after the update
# restore with every row.  The comparison itself is shown to notice a changed comment, privilege
# and column default, and not to depend on who installed the extension.
# (101_worker_databases.pl: the worker serves a 0.1.0 database across the update.)
use strict;
use warnings;
use Digest::SHA qw(sha256_hex);
use FindBin;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $released = '0.1.0';
# SHA-256 of src/sql/releases/pg_drift--0.1.0.sql as released: a released
# script is never edited (databases out there were installed from it).
my $released_sha256 = '0fe02330fdb5a65bc6ff4c169525d7b5bd9595ae23db931e60ed5b98cde5c066';
my $describe = slurp_file("$FindBin::RealBin/../sql/extension_objects.sql");

my $node = PostgreSQL::Test::Cluster->new('upgrade');
$node->init;
$node->start;

is(sha256_hex(slurp_file($node->config_data('--sharedir') . "/extension/pg_drift--$released.sql")),
	$released_sha256, "the installed $released script is the released one, unedited");

my $current = $node->safe_psql('postgres',
	q{SELECT default_version FROM pg_available_extensions WHERE name = 'pg_drift'});
isnt($current, $released, "the default version ($current) is newer than the released $released");
is($node->safe_psql('postgres', qq{
	SELECT path FROM pg_extension_update_paths('pg_drift')
	 WHERE source = '$released' AND target = '$current'}),
	"$released--$current", "one update script leads from $released to $current");

# Database "updated": the released version, used by an ordinary role.
# CREATE EXTENSION checks every C function's symbol in the current library
# (check_function_bodies is on), so this also shows the released script
# still loads against the new pg_drift.so.
$node->safe_psql('postgres', 'CREATE DATABASE updated');
my ($rc, $stdout, $stderr) = $node->psql('updated', "CREATE EXTENSION pg_drift VERSION '$released'");
is($rc, 0, "the released $released script loads against the current library")
  or BAIL_OUT("CREATE EXTENSION pg_drift VERSION '$released' failed: $stderr");
$node->safe_psql('updated', q{
  CREATE ROLE regress_modeler;
  GRANT CREATE ON SCHEMA public TO regress_modeler;
});

# Training data and three days of predictions, 3000 a day: day 1 looks like
# training, days 2 and 3 are shifted up by 30.
$node->safe_psql('updated', q{
  SET ROLE regress_modeler;
  CREATE TABLE train AS
    SELECT g AS id, (g % 100)::float8 AS amount, 'c' || (g % 3) AS merchant,
           (g % 100) * 2.0 + (g % 7) AS target, g % 4 = 0 AS predicted, g % 5 = 0 AS actual
      FROM generate_series(1, 3000) g;
  CREATE TABLE preds AS
    SELECT timestamptz '2026-03-01 00:00+00' + (g - 1) * interval '1 day' / 3000 AS created_at,
           (g % 100) + CASE WHEN g > 3000 THEN 30 ELSE 0 END::float8 AS amount,
           'c' || (g % 3 + g / 3001) AS merchant,
           (g % 100) * 2.0 + (g % 11) AS target
      FROM generate_series(1, 9000) g;
  SELECT count(*) FROM drift.capture_baseline('up_v1', 'train',
           columns => ARRAY['amount', 'merchant'], target_column => 'target',
           prediction_column => 'predicted', label_column => 'actual', model => 'up', version => '1');
  SELECT drift.create_monitor('amount_ks', 'preds', metric => 'ks', column_name => 'amount',
           baseline => 'up_v1', threshold => 0.01, time_column => 'created_at',
           window_size => '1 day', schedule => '15 minutes');
});
is($node->safe_psql('updated', q{
	SET ROLE regress_modeler;
	SELECT string_agg(r.state, ',' ORDER BY d)
	  FROM generate_series(2, 3) d,
	       drift.run_monitor('amount_ks', as_of => timestamptz '2026-03-01 00:00+00' + (d - 1) * interval '1 day') r}),
	'ok,firing', 'before the update the monitor runs: day 1 ok, day 2 fires');

# What must survive the update: the answers the baseline gives, and every
# row of every table (and the position of every sequence) that pg_dump keeps
# as user data, read through the columns the released version has.
my $answers = q{
  SET ROLE regress_modeler;
  SELECT ks_drift(amount, 'up_v1', 'amount')::text, psi_drift(amount, 'up_v1', 'amount')::text,
         chi2_drift(merchant, 'up_v1', 'merchant')::text,
         corr_drift(amount, target, 'up_v1', 'amount')::text,
         ks_drift(amount, drift.baseline('up_v1', 'amount'))::text
    FROM preds};
my $answers_before = $node->safe_psql('updated', $answers);
# two thirds of the rows shifted by 30 on values 0..99: the KS distance is
# 0.3 - 0.3 / 3 = 0.2 (at 29), against 3000 baseline and 9000 current values
like($answers_before, qr/^\(0\.2,[^,]+,3000,9000\)\|/,
	'the baseline answers drift queries before the update');

my %user_data;
for my $row (split /\n/, $node->safe_psql('updated', q{
	SELECT c.oid::regclass, c.relkind,
	       (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a
	         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)
	  FROM pg_extension e CROSS JOIN LATERAL unnest(e.extconfig) x(rel) JOIN pg_class c ON c.oid = x.rel
	 WHERE e.extname = 'pg_drift'}))
{
	my ($rel, $relkind, $columns) = split /\|/, $row;
	my $query = $relkind eq 'S'
	  ? "SELECT last_value, is_called FROM $rel"
	  : "SELECT to_jsonb(r)::text FROM (SELECT $columns FROM $rel) r ORDER BY 1";
	$user_data{$rel} = { query => $query, before => $node->safe_psql('updated', $query) };
}
for my $rel (qw(drift.baselines drift.baseline_columns drift.baseline_correlations
	drift.baseline_metrics drift.monitors drift.results drift.alerts))
{
	ok(exists $user_data{$rel} && $user_data{$rel}{before} ne '', "$rel holds rows before the update");
}

my ($last_result, $last_alert) = split /\|/, $node->safe_psql('updated',
	'SELECT (SELECT max(result_id) FROM drift.results), (SELECT max(alert_id) FROM drift.alerts)');
my $released_dump = $node->basedir . "/at_$released.sql";
$node->command_ok([ 'pg_dump', '-d', $node->connstr('updated'), '-f', $released_dump ],
	"pg_dump of the database at $released succeeds");

$node->safe_psql('updated', "ALTER EXTENSION pg_drift UPDATE TO '$current'");
is($node->safe_psql('updated', q{SELECT extversion FROM pg_extension WHERE extname = 'pg_drift'}),
	$current, "ALTER EXTENSION pg_drift UPDATE TO '$current' brings $released to $current");

# Nothing lost.
for my $rel (sort keys %user_data)
{
	my $after = $node->safe_psql('updated', $user_data{$rel}{query});
	ok($after eq $user_data{$rel}{before}, "$rel: every row kept unchanged by the update")
	  or diag(unified_diff([ split /\n/, $user_data{$rel}{before} ], [ split /\n/, $after ],
		"$rel before", "$rel after"));
}
is($node->safe_psql('updated', $answers), $answers_before,
	'the baseline gives the same drift answers after the update');
is($node->safe_psql('updated', q{
	SET ROLE regress_modeler;
	SELECT state FROM drift.run_monitor('amount_ks', as_of => '2026-03-04 00:00+00')}),
	'firing', 'after the update the monitor still runs and fires on day 3');
is($node->safe_psql('updated', qq{
	SELECT (SELECT count(*) FROM drift.results WHERE result_id > $last_result) || ' ' ||
	       (SELECT count(*) FROM drift.alerts WHERE alert_id > $last_alert)}),
	'1 1', 'that run wrote one new result and one new alert after the old ones');

# Dumps restore into the current version (pg_dump's CREATE EXTENSION names
# no version) with every row of the configuration tables and the same drift
# answers: one taken at the released version (moving to a new server by dump
# and restore) and one of the updated database.
sub restore_keeps_everything
{
	my ($dump, $db, $from, $expect) = @_;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr($db),
		'-f', $dump ], "a dump $from restores into $current");
	for my $rel (sort keys %user_data)
	{
		is($node->safe_psql($db, $user_data{$rel}{query}), $expect->($rel),
			"$rel: the dump $from restored has every row");
	}
	is($node->safe_psql($db, $answers), $answers_before,
		"the baseline restored from the dump $from gives the same drift answers");
}
restore_keeps_everything($released_dump, 'restored_released', "taken at $released",
	sub { $user_data{ $_[0] }{before} });
my $updated_dump = $node->basedir . '/updated.sql';
$node->command_ok([ 'pg_dump', '-d', $node->connstr('updated'), '-f', $updated_dump ],
	'pg_dump of the updated database succeeds');
restore_keeps_everything($updated_dump, 'restored_updated', 'of the updated database',
	sub { $node->safe_psql('updated', $user_data{ $_[0] }{query}) });

# Database "fresh": the current version installed directly.
$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION pg_drift');

# Compare the two descriptions kind by kind (functions, aggregates, types,
# tables, ...); a failing kind names the objects that differ and prints the
# unified diff of its lines.
sub describe
{
	my ($db) = @_;
	return [ split /\n/, $node->safe_psql($db, $describe) ];
}

sub by_kind
{
	my ($lines) = @_;
	my %kinds;
	push @{ $kinds{ (split / /, $_, 2)[0] } }, $_ for @$lines;
	return \%kinds;
}

sub unified_diff
{
	my ($old, $new, $old_label, $new_label) = @_;
	my $dir = PostgreSQL::Test::Utils::tempdir;
	append_to_file("$dir/old", join('', map { "$_\n" } @$old));
	append_to_file("$dir/new", join('', map { "$_\n" } @$new));
	IPC::Run::run([ 'diff', '-u', '--label', $old_label, '--label', $new_label,
		"$dir/old", "$dir/new" ], '>', \my $out);
	return $out;
}

# The objects (the text before ": ") named by lines that are on one side only.
sub differing_objects
{
	my ($old, $new) = @_;
	my (%in_old, %in_new, %objects);
	@in_old{@$old} = ();
	@in_new{@$new} = ();
	for my $line ((grep { !exists $in_new{$_} } @$old), (grep { !exists $in_old{$_} } @$new))
	{
		$objects{ (split /: /, $line, 2)[0] } = 1;
	}
	return sort keys %objects;
}

sub compare_installs
{
	my ($expected, $got, $got_label) = @_;
	my ($want, $have) = (by_kind($expected), by_kind($got));
	my %kinds = (%$want, %$have);
	for my $kind (sort keys %kinds)
	{
		my @old = @{ $want->{$kind} // [] };
		my @new = @{ $have->{$kind} // [] };
		my @objects = differing_objects(\@old, \@new);
		my $name = "$kind objects of $got_label equal a fresh $current install's";
		$name .= ' (differ: ' . join('; ', @objects[ 0 .. ($#objects < 4 ? $#objects : 4) ])
		  . (@objects > 5 ? '; ...' : '') . ')' if @objects;
		ok(!@objects, $name)
		  or diag(unified_diff(\@old, \@new, "fresh $current", $got_label));
	}
}

my $fresh = describe('fresh');
my $updated = describe('updated');
is(scalar(grep { /: member = / } @$fresh),
	$node->safe_psql('fresh', q{
		SELECT count(*) FROM pg_depend
		 WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
		   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_drift')}),
	'the description names every member of the extension');
compare_installs($fresh, $updated, "$released updated to $current");

# Who installs the extension does not matter to the comparison (ACLs name
# the owner "<owner>").
$node->safe_psql('postgres', q{
  CREATE ROLE regress_installer SUPERUSER;
  CREATE DATABASE other_owner OWNER regress_installer;
});
$node->safe_psql('other_owner', 'SET ROLE regress_installer; CREATE EXTENSION pg_drift');
is($node->safe_psql('other_owner', q{
	SELECT extowner::regrole || ' ' || count(*) FILTER (WHERE p.proowner = e.extowner)
	  FROM pg_extension e JOIN pg_proc p ON p.proname = 'run_monitor'
	 WHERE e.extname = 'pg_drift' GROUP BY e.extowner}),
	'regress_installer 1', 'that install belongs to another role');
is_deeply([ differing_objects($fresh, describe('other_owner')) ], [],
	'an install by another role is described the same');

# The comparison notices what an incomplete update script would leave
# behind: a stale comment, a privilege not revoked, a column default not set.
$node->safe_psql('postgres', 'CREATE DATABASE altered');
$node->safe_psql('altered', q{
  CREATE EXTENSION pg_drift;
  COMMENT ON FUNCTION drift.run_monitor(text, timestamptz) IS 'stale';
  REVOKE EXECUTE ON FUNCTION drift.prune_results() FROM PUBLIC;
  ALTER TABLE drift.monitors ALTER COLUMN channel SET DEFAULT 'elsewhere';
});
my @missed = differing_objects($fresh, describe('altered'));
is_deeply(\@missed,
	[ 'function drift.prune_results()', 'function drift.run_monitor(text,timestamp with time zone)',
	  'table drift.monitors' ],
	'the comparison reports a changed comment, ACL and column default');

$node->stop;

done_testing();
