# The example Grafana dashboard (examples/grafana/pg_drift.json) against a
# real database: EVERY query in it (each panel's targets, the annotations,
# the template variable) is taken from the JSON, Grafana's macros are
# substituted the way Grafana's PostgreSQL data source expands them, and the
# query runs as the role Grafana would connect with.  Each must return rows
# with the columns its panel kind reads (time/metric/value for time series,
# time/timeend/text/tags for annotations), and only the connecting role's
# monitors: another role's monitor, with results and alerts in the same
# period, never shows up.
use strict;
use warnings;
use FindBin;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $json = slurp_file("$FindBin::RealBin/../../examples/grafana/pg_drift.json");
my $dash = JSON::PP->new->decode($json);

my $node = PostgreSQL::Test::Cluster->new('grafana');
$node->init;
$node->start;

# A week in which x drifts on days 4 and 5 (firing, then resolved), a label
# that drifts too (a model metric with bounds), for two roles: grafana_reader
# is the role the dashboard connects as; regress_other's monitor must stay
# invisible to it.
$node->safe_psql('postgres', q{
  CREATE EXTENSION pg_drift;
  CREATE ROLE grafana_reader LOGIN;
  CREATE ROLE regress_other;
  CREATE TABLE train AS SELECT (g % 100)::float8 AS x FROM generate_series(1, 2000) g;
  CREATE TABLE preds (ts timestamptz, x float8, seg text, predicted boolean, actual boolean);
  INSERT INTO preds
    SELECT timestamptz '2026-03-01 00:00+00' + (d - 1) * interval '1 day' + g * interval '1 minute',
           (g % 100) + CASE WHEN d IN (4, 5) THEN 40 ELSE 0 END,
           CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END,
           g % 2 = 0, CASE WHEN d IN (4, 5) THEN g % 2 = 1 ELSE g % 2 = 0 END
      FROM generate_series(1, 7) d, generate_series(1, 600) g;
  GRANT SELECT ON train, preds TO grafana_reader, regress_other;
});
for my $role ('grafana_reader', 'regress_other')
{
	$node->safe_psql('postgres', qq{
	  SET ROLE $role;
	  SELECT count(*) FROM drift.capture_baseline('base', 'train');
	  SELECT drift.create_monitor('${role}_ks', 'preds', metric => 'ks', column_name => 'x',
	         baseline => 'base', threshold => 0.01, time_column => 'ts', window_size => '1 day',
	         schedule => '1 day', slice_by => ARRAY['seg'], paused => true);
	  SELECT drift.create_monitor('${role}_psi', 'preds', metric => 'psi', column_name => 'x',
	         baseline => 'base', threshold => 0.1, time_column => 'ts', window_size => '1 day',
	         schedule => '1 day', paused => true);
	  SELECT drift.create_monitor('${role}_accuracy', 'preds', metric => 'accuracy',
	         column_name => 'predicted', label_column => 'actual', lower_bound => 0.9, upper_bound => 1,
	         time_column => 'ts', window_size => '1 day', schedule => '1 day', paused => true);
	  SELECT count(*)
	    FROM generate_series(timestamptz '2026-03-02 00:00+00', '2026-03-08 00:00+00', '1 day') d,
	         (SELECT name FROM drift.monitors ORDER BY name) m,
	         LATERAL drift.run_monitor(m.name, as_of => d);
	});
}
is($node->safe_psql('postgres',
	q{SELECT count(*) FILTER (WHERE payload->>'state' = 'firing') > 0
	     AND count(*) FILTER (WHERE payload->>'state' = 'resolved') > 0 FROM drift.alerts}),
	't', 'the fixture has firing and resolved alerts');

# The dashboard's time range: the fixture's week, as Grafana sends it.
my ($from, $to) = ('2026-03-01T00:00:00Z', '2026-03-09T00:00:00Z');

# Grafana's PostgreSQL macros (pkg/tsdb/grafana-postgresql-datasource/macros.go):
# $__timeFilter(col) -> col BETWEEN 'from' AND 'to'; $__timeFrom()/$__timeTo()
# -> the bounds; $__timeGroup(col, interval) -> floor(epoch/seconds)*seconds as
# a timestamp; $__interval -> the panel's interval; $__unixEpochFilter(col).
my $interval_s = 3600;
sub expand_macros
{
	my ($sql, $vars) = @_;
	$sql =~ s/\$__timeFilter\(([^)]*)\)/$1 BETWEEN '$from' AND '$to'/g;
	$sql =~ s/\$__timeFrom\(\)/'$from'/g;
	$sql =~ s/\$__timeTo\(\)/'$to'/g;
	$sql =~ s/\$__timeGroupAlias\(([^,]*),[^)]*\)/to_timestamp(floor(extract(epoch from $1)\/$interval_s)*$interval_s) AS "time"/g;
	$sql =~ s/\$__timeGroup\(([^,]*),[^)]*\)/to_timestamp(floor(extract(epoch from $1)\/$interval_s)*$interval_s)/g;
	$sql =~ s/\$__unixEpochFilter\(([^)]*)\)/$1 >= extract(epoch from timestamptz '$from') AND $1 <= extract(epoch from timestamptz '$to')/g;
	$sql =~ s/\$__interval_ms/${\($interval_s * 1000)}/g;
	$sql =~ s/\$__interval/${interval_s}s/g;
	for my $name (keys %$vars)
	{
		$sql =~ s/\$\{$name(?::\w+)?\}|\$$name\b/$vars->{$name}/g;
	}
	unlike($sql, qr/\$(__|\{|[A-Za-z])/, 'no Grafana macro or variable is left unexpanded')
	  or diag($sql);
	return $sql;
}

# Run one query as grafana_reader; return its column names and types and its
# rows (tab-separated), through a temporary view so the columns are known.
sub run_query
{
	my ($sql) = @_;
	my $out = $node->safe_psql('postgres', qq{
	  SET ROLE grafana_reader;
	  CREATE TEMP VIEW q AS $sql;
	  SELECT string_agg(attname || ':' || format_type(atttypid, atttypmod), ',' ORDER BY attnum)
	    FROM pg_attribute WHERE attrelid = 'q'::regclass AND attnum > 0;
	  SELECT * FROM q;
	}, extra_params => [ '-F', "\t" ]);
	my ($cols, @rows) = split /\n/, $out;
	my %type = map { split /:/, $_, 2 } split /,/, $cols;
	my @names = map { (split /:/, $_, 2)[0] } split /,/, $cols;
	return (\%type, \@names, \@rows);
}

# the template variable: its values are what "All" expands $monitor to
my @variables = grep { $_->{type} eq 'query' } @{ $dash->{templating}{list} };
ok(@variables >= 1, 'the dashboard has a query variable');
my %vars;
for my $v (@variables)
{
	my $q = ref $v->{query} ? $v->{query}{rawSql} // $v->{query}{query} : $v->{query};
	my ($type, $names, $rows) = run_query(expand_macros($q, {}));
	ok(@$rows >= 1, "variable \$$v->{name} has values");
	$vars{ $v->{name} } = join(',', map { my $x = (split /\t/)[0]; $x =~ s/'/''/g; "'$x'" } @$rows);
	if ($v->{name} eq 'monitor')
	{
		is(join(' ', sort map { (split /\t/)[0] } @$rows),
			'grafana_reader_accuracy grafana_reader_ks grafana_reader_psi',
			'$monitor offers exactly the connecting role\'s monitors');
	}
}
ok(exists $vars{monitor}, 'the dashboard defines $monitor');

# every panel (rows may nest panels) and its queries
my @panels;
my @todo = @{ $dash->{panels} };
while (my $p = shift @todo)
{
	push @todo, @{ $p->{panels} } if $p->{panels};
	push @panels, $p unless $p->{type} eq 'row';
}
ok(@panels >= 4, 'the dashboard has panels');
my %kinds;
for my $p (@panels)
{
	my @targets = grep { defined $_->{rawSql} } @{ $p->{targets} // [] };
	ok(@targets >= 1, "panel \"$p->{title}\" has a SQL query");
	for my $t (@targets)
	{
		my ($type, $names, $rows) = run_query(expand_macros($t->{rawSql}, \%vars));
		my $what = "panel \"$p->{title}\" ($t->{refId})";
		ok(@$rows >= 1, "$what returns rows") or diag($t->{rawSql});
		$kinds{ $p->{type} }++;
		if (($t->{format} // '') eq 'time_series')
		{
			is(join(',', @$names), 'time,metric,value', "$what returns time, metric, value");
			is($type->{time}, 'timestamp with time zone', "$what: time is a timestamptz");
			is($type->{value}, 'double precision', "$what: value is a number");
			# Grafana needs time-series rows in time order
			my @times = map { (split /\t/)[0] } @$rows;
			is_deeply(\@times, [ sort @times ], "$what: rows come in time order");
			my @series = map { (split /\t/)[1] } @$rows;
			ok(!grep({ /regress_other/ } @series), "$what shows no other role's monitor");
		}
		else
		{
			ok(@$names >= 1, "$what has columns");
			ok(!grep({ /regress_other/ } @$rows), "$what shows no other role's monitor");
		}
	}
}
ok($kinds{timeseries} >= 2 && $kinds{table} >= 1, 'time series and table panels ran');

# series the charts must hold: statistic with threshold, p-value with threshold, bounds
my %series;
for my $p (grep { $_->{type} eq 'timeseries' } @panels)
{
	my (undef, undef, $rows) = run_query(expand_macros($p->{targets}[0]{rawSql}, \%vars));
	$series{ (split /\t/)[1] } = 1 for @$rows;
}
ok($series{'grafana_reader_psi all statistic'} && $series{'grafana_reader_psi all threshold'},
	'statistic and its threshold for a statistic-judged metric');
ok($series{'grafana_reader_ks seg=a p-value'} && $series{'grafana_reader_ks seg=a threshold'},
	'p-value and its threshold for a p-value test, per slice');
ok($series{'grafana_reader_accuracy all lower bound'} && $series{'grafana_reader_accuracy all upper bound'},
	'the bounds of a model metric');

# annotations: the alerts, as Grafana's annotation query reads them
my @annotations = grep { $_->{target} && defined $_->{target}{rawSql} } @{ $dash->{annotations}{list} };
ok(@annotations >= 1, 'the dashboard has an alert annotation query');
for my $a (@annotations)
{
	my ($type, $names, $rows) = run_query(expand_macros($a->{target}{rawSql}, \%vars));
	ok(@$rows >= 1, "annotation \"$a->{name}\" returns alerts");
	is(join(',', @$names), 'time,timeend,text,tags', "annotation \"$a->{name}\" has Grafana's columns");
	ok((grep { /firing/ && (split /\t/)[1] ne '' } @$rows), 'a firing alert has an end (its resolution)');
	ok(!grep({ /regress_other/ } @$rows), 'annotations show no other role\'s alerts');
}

$node->stop;
done_testing();
