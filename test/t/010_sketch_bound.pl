# The quantile sketch's stated rank-error bound on 20 million values.
#
# A permutation of 1..N (N = 20,000,002: g * a mod the prime N + 1) is profiled
# with drift_sketch_agg(x, 100000), the same compaction the profile builder uses
# past pg_drift.exact_profile_limit = 100,000.  The data's exact ECDF is known
# in closed form, so every check is against an independent exact answer:
#   - drift_quantile at 200,001 query points (integers, half-integers and
#     points outside the range) is within rank_error of the exact mid-rank;
#   - ks_drift of a 200,000-row sample against the sketch is within rank_error
#     of the exact KS statistic against the full data;
#   - count, min, max, mean and variance are exact;
#   - the backend's peak memory stays far below the data's size.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $N = 20_000_002;
my $node = PostgreSQL::Test::Cluster->new('sketch');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pg_drift');

# Build the sketch from a streamed series (no table: ProjectSet does not
# materialise), and report the backend's peak resident memory.
my $out = $node->safe_psql('postgres', qq{
  CREATE TABLE sk AS
    SELECT drift_sketch_agg(((g * 1103515245) % 20000003)::float8, 100000) AS p
      FROM (SELECT generate_series(1::bigint, $N) AS g) s;
  SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'),
                       'VmHWM:\\s+(\\d+) kB'))[1];
});
my $hwm_kb = $out;
note("backend peak RSS (VmHWM): $hwm_kb kB");
cmp_ok($hwm_kb, '<', 400_000, 'peak memory stays bounded (well under the 320 MB an exact profile needs)');

my ($kind, $exact, $eps, $count, $entries, $min, $max, $mean_ok, $var_ok) = split /\|/,
  $node->safe_psql('postgres', qq{
  SELECT i.kind, i.exact, i.rank_error, i.count, i.distinct_entries, i.min, i.max,
         abs(i.mean - ($N + 1) / 2.0) <= 1e-12 * ($N + 1) / 2.0,
         abs(i.variance - (${N}::float8 * ($N + 1) / 12.0)) <= 1e-9 * (${N}::float8 * ($N + 1) / 12.0)
    FROM sk, drift_profile_info(p) i});
note("rank_error bound: $eps with $entries entries");
is($kind, 'numeric', 'numeric profile');
is($exact, 'f', 'approximate');
is($count, $N, 'count exact');
cmp_ok($entries, '<=', 100_000, 'at most the limit of entries');
ok($min == 1 && $max == $N, 'min and max exact');
is($mean_ok, 't', 'mean exact');
is($var_ok, 't', 'variance exact');
cmp_ok($eps, '>', 0, 'a bound is stated');
cmp_ok($eps, '<', 0.01, 'the bound is useful (< 1%)');

# Store the sketch as a baseline so that the per-query cache reads it once.
$node->safe_psql('postgres', q{
  INSERT INTO drift.baselines (name, source_relation, row_count) VALUES ('sk', 'none', 20000002);
  INSERT INTO drift.baseline_columns SELECT 'sk', 'x', 'double precision', 'numeric', p FROM sk;
});

# Exact mid-rank of q in {1..N}: (#{x < q} + 0.5 #{x = q}) / N.
my $maxerr = $node->safe_psql('postgres', qq{
  SELECT max(abs(drift_quantile(q, 'sk', 'x')
                 - (least(greatest(ceil(q) - 1, 0), $N)
                    + CASE WHEN q = floor(q) AND q BETWEEN 1 AND $N THEN 0.5 ELSE 0 END) / ${N}::float8))
    FROM (SELECT (k * 100.0 + (k % 2) * 0.5 + (k % 7))::float8 AS q FROM generate_series(-10, 200000) k
          UNION ALL VALUES (0.5::float8), (1), ($N), ($N + 0.5), ('-Infinity'), ('Infinity')) qs});
note("max |quantile error| over 200,017 points: $maxerr");
cmp_ok($maxerr, '<=', $eps + 1e-12, 'quantile error within the stated bound');
cmp_ok($maxerr, '>', 0, 'the sketch is really approximate');

# KS of a sample (non-integers, 200,000 rows) against the sketch vs the exact
# statistic against the uniform grid 1..N: F_b(c) = clamp(floor(c), 0, N) / N.
my ($d_sketch, $d_exact) = split /\|/, $node->safe_psql('postgres', qq{
  CREATE TABLE cur AS
    SELECT (abs(sin(g * 0.77)) ^ 1.3 * $N + 0.25)::float8 AS c FROM generate_series(1, 200000) g;
  SELECT (SELECT (ks_drift(c, 'sk', 'x')).statistic FROM cur),
         (SELECT max(greatest(i / n - fb, fb - (i - 1) / n))
            FROM (SELECT row_number() OVER (ORDER BY c)::float8 AS i, count(*) OVER ()::float8 AS n,
                         least(greatest(floor(c), 0), $N) / ${N}::float8 AS fb FROM cur) s)});
note("KS statistic: sketch $d_sketch, exact $d_exact");
cmp_ok(abs($d_sketch - $d_exact), '<=', $eps + 1e-12, 'ks_drift statistic within the bound of the exact one');

$node->stop;
done_testing();
