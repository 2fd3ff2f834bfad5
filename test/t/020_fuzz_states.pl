# Bounded fuzz test of every named state type, of drift_profile and of
# drift_calibration.
#
# Valid states of every state type (from several aggregates each, so that a
# type's states of different tests, baselines and sizes meet), and valid
# drift_profile values, are mutated with a seeded generator: bit flips, byte
# and length-field edits, truncations, extensions, repeated ranges and
# splices of two values.  Each mutant is then
#   - read as text (the "\x" hex form of a state, which input reads besides
#     base64, the JSON of a profile),
#   - read in binary through COPY ... (FORMAT binary), i.e. the receive function,
#   - given to every final function and to the combine function of its type,
#   - used as INITCOND of a pg_temp aggregate over each transition function of
#     its type (and as MINITCOND of moving aggregates whose MSFUNC is the
#     transition or the inverse function), with and without GROUP BY,
#   - used as the baseline of streaming tests (profiles), or as the
#     calibration of estimated_binary_metrics (drift_calibration),
# each attempt in its own statement.  Errors are expected; what must not
# happen is a crash, a restart, or an internal error (SQLSTATE class XX, an
# elog rather than an ereport).  After every batch the server must be alive,
# not restarted, and its log free of "terminated by signal".
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use MIME::Base64 qw(decode_base64);

my $node = PostgreSQL::Test::Cluster->new('fuzz');
$node->init;
$node->append_conf('postgresql.conf', "max_parallel_workers_per_gather = 0\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pg_drift');

# xorshift32: the same mutants on every platform and Perl version.  The
# seed and the number of mutants per type may be changed for a longer hunt
# (PG_DRIFT_FUZZ_SEED, PG_DRIFT_FUZZ_ROUNDS); the suite runs the defaults.
my $rng = ($ENV{PG_DRIFT_FUZZ_SEED} // 0x2545F491) || 1;
sub rnd
{
	my ($n) = @_;
	$rng ^= ($rng << 13) & 0xFFFFFFFF;
	$rng ^= $rng >> 17;
	$rng ^= ($rng << 5) & 0xFFFFFFFF;
	return $n ? $rng % $n : $rng;
}
sub pick { return $_[ rnd(scalar @_) ]; }

# Interesting 32-bit values for length and count fields.
my @edge32 = (0, 1, 2, 255, 256, 65535, 0x3FFFFFF, 67108863, 0x7FFFFFFF, 0x80000000,
	0xFFFFFFFF, 0xFFFFFFFE);

# One mutation of a byte string; $other is a second value for splices.
sub mutate
{
	my ($b, $other) = @_;
	my $len = length $b;
	my $kind = rnd(8);
	return $b if $len == 0;
	if ($kind == 0)    # flip one bit
	{
		my $i = rnd($len);
		substr($b, $i, 1) = chr(ord(substr($b, $i, 1)) ^ (1 << rnd(8)));
	}
	elsif ($kind == 1)    # one byte set to an edge value
	{
		substr($b, rnd($len), 1) = chr(pick(0, 1, 0x7F, 0x80, 0xFF, rnd(256)));
	}
	elsif ($kind == 2)    # truncate
	{
		$b = substr($b, 0, rnd($len));
	}
	elsif ($kind == 3)    # extend with random bytes
	{
		$b .= join '', map { chr(rnd(256)) } 1 .. 1 + rnd(16);
	}
	elsif ($kind == 4 && $len >= 4)    # a 32-bit field (length, count, slot) edited
	{
		substr($b, rnd($len - 3), 4) = pack('N', pick(@edge32));
	}
	elsif ($kind == 5 && $len >= 8)    # a 64-bit field (count, fingerprint, float) edited
	{
		substr($b, rnd($len - 7), 8) =
		  pick(pack('N2', 0x7FFFFFFF, 0xFFFFFFFF), pack('N2', 0xFFFFFFFF, 0xFFFFFFFF),
			pack('N2', 0x7FF80000, 0), pack('N2', 0x7FF00000, 0), pack('N2', 0, 1));
	}
	elsif ($kind == 6)    # splice: a prefix of this value, a suffix of the other
	{
		$b = substr($b, 0, rnd($len)) . substr($other, rnd(length($other) + 1));
	}
	else    # repeat a range
	{
		my $i = rnd($len);
		my $n = 1 + rnd($len - $i);
		substr($b, $i, 0) = substr($b, $i, $n);
	}
	return $b;
}

# One to three mutations.
sub mutant
{
	my ($b, $other) = @_;
	$b = mutate($b, $other) for 0 .. rnd(3);
	return $b;
}

sub hex_text { return '\\x' . unpack('H*', $_[0]); }
sub quote { my $s = shift; $s =~ s/'/''/g; return "'$s'"; }

# Baselines: a numeric and a categorical profile, also as named baselines.
$node->safe_psql('postgres', q{
  CREATE TABLE fz_num AS SELECT (g % 97)::float8 / 4 AS x FROM generate_series(1, 2000) g;
  CREATE TABLE fz_cat AS SELECT 'c' || (g % 40) AS c FROM generate_series(1, 2000) g;
  SELECT count(*) FROM drift.capture_baseline('fzn', 'fz_num');
  SELECT count(*) FROM drift.capture_baseline('fzc', 'fz_cat');
  CREATE TABLE fz_prof AS
    SELECT 'num' AS k, drift.baseline('fzn', 'x') AS p
    UNION ALL SELECT 'cat', drift.baseline('fzc', 'c');
});
# A calibrated score baseline (estimated_binary_metrics), its calibration as a literal.
$node->safe_psql('postgres', q{
  CREATE TABLE fz_score AS
    SELECT (g % 21)::float8 / 20 AS score, (g * 7919 % 13) < (g % 21) * 13 / 20 AS label
      FROM generate_series(1, 2000) g;
  SELECT count(*) FROM drift.capture_baseline('fzs', 'fz_score', columns => ARRAY['score'],
                                              prediction_column => 'score', label_column => 'label');
});
my $CAL = quote($node->safe_psql('postgres', q{SELECT drift.baseline_calibration('fzs', 'score')::text}))
  . '::drift_calibration';
my $NP = q{(SELECT p FROM fz_prof WHERE k = 'num')};
my $CP = q{(SELECT p FROM fz_prof WHERE k = 'cat')};

# Rows the transition functions count: values inside and outside the
# baselines, NULLs and NaNs.
my $ROWS = q{generate_series(1, 400) g};
my $X = q{(CASE WHEN g % 53 = 0 THEN NULL WHEN g % 61 = 0 THEN 'NaN' ELSE (g % 131)::float8 / 5 END)};
my $T = q{(CASE WHEN g % 53 = 0 THEN NULL ELSE 'c' || (g % 47) END)};
my $P = q{((g % 10)::float8 / 10)};
my $B = q{(g % 3 = 0)};

# Per state type: its transition functions (name, argument types, argument
# expressions over $ROWS, inverse function if any), finals and combine.
my %types = (
	drift_stream_state => {
		trans => [
			[ 'ks_drift_profile_trans', 'float8, drift_profile', "$X, $NP" ],
			[ 'ks_drift_profile_trans', 'float8, drift_profile, text', "$X, $NP, 'less'" ],
			[ 'ks_drift_named_trans', 'float8, text, text', "$X, 'fzn', 'x'" ],
			[ 'binned_drift_profile_trans', 'float8, drift_profile', "$X, $NP" ],
			[ 'binned_drift_profile_trans', 'float8, drift_profile, int, text, float8', "$X, $NP, 7, 'quantile', 0.01" ],
			[ 'binned_drift_named_trans', 'float8, text, text, int', "$X, 'fzn', 'x', 5" ],
			[ 'unseen_share_profile_trans', 'text, drift_profile', "$T, $CP" ],
			[ 'unseen_share_named_trans', 'text, text, text', "$T, 'fzc', 'c'" ],
		],
		finals => [qw(ks_drift_final psi_drift_final js_drift_final hellinger_drift_final
			  kl_drift_final unseen_category_share_final)],
		combine => 'drift_stream_state_combine',
	},
	drift_category_state => {
		trans => [
			[ 'categorical_profile_trans', 'text, drift_profile', "$T, $CP" ],
			[ 'categorical_profile_trans', 'text, drift_profile, float8', "$T, $CP, 0.1" ],
			[ 'categorical_named_trans', 'text, text, text', "$T, 'fzc', 'c'" ],
		],
		finals => [qw(chi2_drift_final chi2_drift_details_final psi_drift_categorical_final
			  js_drift_categorical_final linf_drift_final tvd_drift_final)],
		combine => 'drift_category_state_combine',
	},
	drift_mean_state => {
		trans => [
			[ 'zscore_drift_profile_trans', 'float8, drift_profile', "$X, $NP" ],
			[ 'zscore_drift_named_trans', 'float8, text, text', "$X, 'fzn', 'x'" ],
		],
		finals => [qw(zscore_drift_final)],
		combine => 'zscore_drift_combine',
	},
	drift_integrity_state => {
		trans => [
			[ 'null_rate_drift_profile_trans', 'float8, drift_profile', "$X, $NP" ],
			[ 'null_rate_drift_profile_trans', 'text, drift_profile', "$T, $CP" ],
			[ 'out_of_range_share_profile_trans', 'float8, drift_profile', "$X, $NP" ],
			[ 'out_of_range_share_named_trans', 'float8, text, text', "$X, 'fzn', 'x'" ],
		],
		finals => [qw(null_rate_drift_final out_of_range_share_final)],
		combine => 'drift_integrity_state_combine',
	},
	drift_corr_state => {
		trans => [ [ 'corr_drift_value_trans', 'float8, float8, float8, bigint', "$X, $X * 2 + g % 7, 0.5, 100" ] ],
		finals => [qw(corr_drift_final)],
		combine => 'drift_corr_state_combine',
	},
	drift_binary_metrics_state => {
		trans => [
			[ 'binary_metrics_trans', 'bool, bool', "$B, g % 5 = 0", 'binary_metrics_inv' ],
			[ 'binary_metrics_trans', 'float8, bool, float8', "$P, $B, 0.5", 'binary_metrics_inv' ],
		],
		finals => [qw(binary_metrics_final)],
		combine => 'binary_metrics_combine',
	},
	drift_regression_metrics_state => {
		trans => [ [ 'regression_metrics_trans', 'float8, float8', "$X, $P", 'regression_metrics_inv' ] ],
		finals => [qw(regression_metrics_final)],
		combine => 'regression_metrics_combine',
	},
	drift_metric_mean_state => {
		trans => [
			[ 'log_loss_trans', 'float8, bool', "$P * 0.9 + 0.05, $B", 'log_loss_inv' ],
			[ 'brier_score_trans', 'float8, bool', "$P, $B", 'brier_score_inv' ],
		],
		finals => [qw(metric_mean_final)],
		combine => 'metric_mean_combine',
	},
	drift_roc_state => {
		trans => [
			[ 'roc_auc_trans', 'float8, bool', "$P, $B", 'roc_auc_inv' ],
			[ 'isotonic_calibration_trans', 'float8, bool', "$P, $B" ],
		],
		finals => [qw(roc_auc_final isotonic_calibration_final)],
		combine => 'roc_auc_combine',
	},
	drift_estimated_metrics_state => {
		trans => [
			[ 'estimated_metrics_trans', 'float8, float8, drift_calibration', "$X / 26, 0.5, $CAL",
			  'estimated_metrics_inv' ],
			[ 'estimated_metrics_named_trans', 'float8, float8, text, text', "$P, 0.5, 'fzs', 'score'",
			  'estimated_metrics_named_inv' ],
		],
		finals => [qw(estimated_metrics_final)],
		combine => 'estimated_metrics_combine',
	},
	drift_multiclass_metrics_state => {
		trans => [ [ 'multiclass_metrics_trans', 'text, text', "'l' || (g % 4), 'l' || (g % 3)", 'multiclass_metrics_inv' ] ],
		finals => [qw(multiclass_metrics_final)],
		combine => 'multiclass_metrics_combine',
	},
);

# The server's identity before the fuzzing: a restart would change it.
my $start_time = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');
my $log_offset = -s $node->logfile;
my ($accepted, $rejected, $batches) = (0, 0, 0);

# Run one batch of statements in one session (errors allowed); then check
# that the session survived every statement, that no internal error was
# raised, and that the server neither crashed nor restarted.
sub run_batch
{
	my ($name, @stmts) = @_;
	my ($out, $err) = ('', '');
	my $ret = $node->psql('postgres',
		"\\set VERBOSITY verbose\nSET client_min_messages = error;\n" . join("\n", @stmts) . "\n",
		stdout => \$out, stderr => \$err, on_error_stop => 0);
	$batches++;
	my @codes = $err =~ /^(?:psql:[^\n]*?)?ERROR:  ([0-9A-Z]{5}):/mg;
	my @internal = grep { /^XX/ } @codes;
	my $ok = () = $out =~ /^ok$/mg;
	$accepted += $ok;
	$rejected += scalar @codes;
	is($ret, 0, "$name: the session survived every statement");
	is(scalar @internal, 0, "$name: no internal error (SQLSTATE class XX)")
	  or diag(join "\n", grep { /ERROR:  XX/ } split /\n/, $err);
	my $now = '';
	$node->psql('postgres', 'SELECT pg_postmaster_start_time()', stdout => \$now);
	is($now, $start_time, "$name: the server is up and has not restarted");
	my $log = slurp_file($node->logfile, $log_offset);
	unlike($log, qr/terminated by signal|was terminated|server process .* exited with/,
		"$name: no backend died");
}

# Valid states of each type: every transition function's, over all rows and
# over a few, in a group of its own.
$node->safe_psql('postgres', 'CREATE SCHEMA fz');
my %seeds;
foreach my $type (sort keys %types)
{
	my $i = 0;
	foreach my $tr (@{ $types{$type}{trans} })
	{
		my ($fn, $args, $exprs) = @$tr;
		$i++;
		$node->safe_psql('postgres',
			"CREATE AGGREGATE fz.${type}_$i($args) (SFUNC = $fn, STYPE = $type)");
		# g NULL: a state that counted one row with NULL values, no value kept
		foreach my $rows ('(SELECT NULL::int AS g) s', map { "generate_series(1, $_) g" } 1, 5, 400)
		{
			my $h = $node->safe_psql('postgres', "SELECT fz.${type}_$i($exprs)::text FROM $rows");
			next if $h eq '';
			push @{ $seeds{$type} }, decode_base64($h);
		}
	}
	cmp_ok(scalar @{ $seeds{$type} }, '>=', 2, "valid $type states to mutate");
}

# A binary COPY file holding one value of one column.
my $copy_dir = $node->basedir . '/copy';
mkdir $copy_dir;
my $copy_n = 0;
sub copy_file
{
	my ($bytes) = @_;
	my $path = sprintf('%s/m%05d.bin', $copy_dir, $copy_n++);
	open my $fh, '>:raw', $path or die "$path: $!";
	print $fh "PGCOPY\n\377\r\n\0", pack('N N', 0, 0), pack('n N', 1, length $bytes), $bytes,
	  pack('n', 0xFFFF);
	close $fh;
	return $path;
}

# Statements feeding one mutated state to everything that takes its type.
my $agg_n = 0;
sub state_statements
{
	my ($type, $m, $rows, $tr) = @_;
	$rows //= $ROWS;
	my $t = $types{$type};
	my $lit = quote(hex_text($m)) . "::$type";
	my $seed = quote(hex_text(pick(@{ $seeds{$type} }))) . "::$type";
	my @s = ("SELECT 'ok' FROM (SELECT $lit) s;");
	push @s, "TRUNCATE fz_bin_$type;", "COPY fz_bin_$type FROM " . quote(copy_file($m)) . " (FORMAT binary);",
	  "SELECT $t->{finals}[0](v) FROM fz_bin_$type;";
	push @s, "SELECT $_($lit);" foreach @{ $t->{finals} };
	push @s, "SELECT $t->{combine}($lit, $seed);", "SELECT $t->{combine}($seed, $lit);";
	my ($fn, $args, $exprs, $inv) = @{ $tr // pick(@{ $t->{trans} }) };
	my $final = pick(@{ $t->{finals} });
	my $name = 'pg_temp.fz' . $agg_n++;
	my $init = quote(hex_text($m));
	push @s, "CREATE AGGREGATE $name($args) (SFUNC = $fn, STYPE = $type, FINALFUNC = $final, "
	  . "COMBINEFUNC = $t->{combine}, INITCOND = $init);",
	  "SELECT $name($exprs) FROM $rows;",
	  "SELECT g % 3, $name($exprs) FROM $rows GROUP BY g % 3;";
	if ($inv)
	{
		my ($ms, $mi) = rnd(2) ? ($fn, $inv) : ($inv, $fn);
		my $mname = 'pg_temp.fzm' . $agg_n++;
		push @s, "CREATE AGGREGATE $mname($args) (SFUNC = $fn, STYPE = $type, FINALFUNC = $final, "
		  . "MSFUNC = $ms, MINVFUNC = $mi, MSTYPE = $type, MFINALFUNC = $final, MINITCOND = $init);",
		  "SELECT $mname($exprs) OVER (ORDER BY g ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM $rows;";
	}
	return @s;
}

$node->safe_psql('postgres', join '', map { "CREATE TABLE fz_bin_$_ (v $_);" } keys %types);
my $per_type = $ENV{PG_DRIFT_FUZZ_ROUNDS} // 40;
foreach my $type (sort keys %types)
{
	my @stmts;
	for (1 .. $per_type)
	{
		my @pool = @{ $seeds{$type} };
		# a splice partner: another state of this type, or of another type
		my $other = rnd(4) ? pick(@pool) : pick(@{ $seeds{ pick(sort keys %seeds) } });
		push @stmts, state_statements($type, mutant(pick(@pool), $other));
	}
	# the valid states themselves, through the same paths and over more rows
	# (a state read from text, handed to a transition function that did not
	# create it, must grow as its own states do)
	foreach my $seed (@{ $seeds{$type} })
	{
		push @stmts, state_statements($type, $seed, 'generate_series(1, 30000) g', $_)
		  foreach @{ $types{$type}{trans} };
	}
	run_batch("$type mutants", @stmts);
}

# drift_profile: JSON text mutated character-wise, binary form mutated
# byte-wise, each used as a value and as a baseline.
my @profiles = split /\n/, $node->safe_psql('postgres', q{
  SELECT p::text FROM fz_prof
  UNION ALL SELECT drift_profile_agg(x)::text FROM (VALUES (1.5::float8), (NULL), ('NaN'), (-2)) v(x)
  UNION ALL SELECT drift_sketch_agg((g * 7919 % 10007)::float8, 64)::text FROM generate_series(1, 5000) g
  UNION ALL SELECT drift_profile_agg(t)::text FROM (VALUES ('a'), ('b'), (NULL), ('a')) v(t)
  UNION ALL SELECT '{"version":1,"kind":"numeric","values":[],"counts":[]}'});
my @profile_bins = map { pack('H*', substr($_, 2)) } split /\n/,
  $node->safe_psql('postgres', q{
  SELECT drift_profile_send(p) FROM fz_prof
  UNION ALL SELECT drift_profile_send(drift_sketch_agg((g * 7919 % 10007)::float8, 64)) FROM generate_series(1, 5000) g
  UNION ALL SELECT drift_profile_send(drift_profile_agg(t)) FROM (VALUES ('a'), ('b'), (NULL)) v(t)});
cmp_ok(scalar @profiles, '>=', 5, 'valid profiles (text) to mutate');
cmp_ok(scalar @profile_bins, '>=', 3, 'valid profiles (binary) to mutate');

# What a (possibly) valid profile value is fed to.
sub profile_uses
{
	my ($v) = @_;
	return ("SELECT 'ok' FROM (SELECT $v) s;",
		"SELECT * FROM drift_profile_info($v);",
		"SELECT ks_drift($v, $v);", "SELECT psi_drift($v, $v);", "SELECT chi2_drift($v, $v);",
		"SELECT wasserstein_drift($v, $v);", "SELECT drift_quantile(0.5, $v);",
		"SELECT drift_profile_compact($v, 8);",
		"SELECT ks_drift($X, $v) FROM $ROWS;", "SELECT psi_drift($X, $v) FROM $ROWS;",
		"SELECT chi2_drift($T, $v) FROM $ROWS;", "SELECT unseen_category_share($T, $v) FROM $ROWS;",
		"SELECT zscore_drift($X, $v), null_rate_drift($X, $v), out_of_range_share($X, $v) FROM $ROWS;",
		"SELECT drift_profile_merge(p) FROM (SELECT $v AS p UNION ALL SELECT $v) s;");
}

$node->safe_psql('postgres', 'CREATE TABLE fz_bin_profile (v drift_profile)');
my (@text_stmts, @bin_stmts);
foreach (1 .. 3 * $per_type)
{
	my $m = mutant(pick(@profiles), pick(@profiles));
	# JSON edits that bit flips rarely find: numbers, brackets, keys
	if (rnd(2))
	{
		my @tok = ('-1', '0', '1e308', '-1e308', '2147483648', '9223372036854775807', 'NaN',
			'"NaN"', '[]', '{}', 'null', '"values"', '"counts"', '"kind"', ',', '1.5');
		$m =~ s/(-?[0-9][0-9.e+-]*|\[|\]|"[a-z_]+")/rnd(5) ? $1 : pick(@tok)/ge;
	}
	$m =~ s/\0//g;
	push @text_stmts, profile_uses(quote($m) . '::drift_profile');
	my $b = mutant(pick(@profile_bins), pick(@profile_bins));
	push @bin_stmts, 'TRUNCATE fz_bin_profile;',
	  'COPY fz_bin_profile FROM ' . quote(copy_file($b)) . ' (FORMAT binary);',
	  profile_uses('(SELECT v FROM fz_bin_profile LIMIT 1)');
}
run_batch('drift_profile text mutants', @text_stmts);
run_batch('drift_profile binary mutants', @bin_stmts);

# drift_calibration: valid calibrations' binary forms mutated byte-wise, each
# read as text and through COPY, applied, listed and used by
# estimated_binary_metrics.
my @calibrations = map { decode_base64($_) } split /\n/, $node->safe_psql('postgres', q{
  SELECT drift.baseline_calibration('fzs', 'score')::text
  UNION ALL SELECT isotonic_calibration((g % 7)::float8 / 6, g % 2 = 0)::text FROM generate_series(1, 50) g
  UNION ALL SELECT isotonic_calibration(0.5, true)::text});
cmp_ok(scalar @calibrations, '>=', 3, 'valid calibrations to mutate');
$node->safe_psql('postgres', 'CREATE TABLE fz_bin_calibration (v drift_calibration)');
my @cal_stmts;
for (1 .. $per_type)
{
	my $m = mutant(pick(@calibrations), pick(@calibrations));
	my $lit = quote(hex_text($m)) . '::drift_calibration';
	push @cal_stmts, "SELECT 'ok' FROM (SELECT $lit) s;",
	  "SELECT calibrate($lit, 0.3), calibration_points($lit);",
	  "SELECT estimated_binary_metrics($P, 0.5, $lit) FROM $ROWS;",
	  'TRUNCATE fz_bin_calibration;',
	  'COPY fz_bin_calibration FROM ' . quote(copy_file($m)) . ' (FORMAT binary);',
	  "SELECT calibrate(v, 0.7), calibration_points(v) FROM fz_bin_calibration;";
}
run_batch('drift_calibration mutants', @cal_stmts);

# The valid states and profiles were accepted; most mutants were not.
cmp_ok($accepted, '>', 0, "some values were accepted ($accepted)");
cmp_ok($rejected, '>', 100, "many mutants were rejected ($rejected errors)");
note("$batches batches, $accepted accepted, $rejected errors");

$node->stop;
done_testing();
