#!/bin/bash
# bench/sketch.sh — memory and rank error of the quantile sketch on 50M values.
#
# Usage: PGHOST=... PGPORT=... PGDATABASE=... bench/sketch.sh [N] [MAX_ENTRIES]
# (defaults: N = 50,000,000 values, MAX_ENTRIES = 100,000; needs pg_drift installed
# in the database and superuser, for pg_read_file of /proc/<pid>/status).
#
# The values are a permutation of 1..N, g * a mod the prime p = N + 1 (N is
# rounded up so that N + 1 is prime: 50,000,016 for the default), streamed from generate_series without a table, so the exact ECDF
# is known in closed form.  Printed: the backend's peak RSS (VmHWM) before and
# after the same stream through max() (control) and after building the
# sketch, both times, the stated rank-error bound, the largest
# observed |quantile error| over 500,001 query points, and the size an exact
# profile of the same data would need.  A benchmark, not a test.
set -euo pipefail
N=${1:-50000000}
K=${2:-100000}
P=$(python3 - "$N" <<'PY' 2>/dev/null || echo ""
import sys
n = int(sys.argv[1]) + 1
def isprime(m):
    if m < 2: return False
    i = 2
    while i * i <= m:
        if m % i == 0: return False
        i += 1
    return True
while not isprime(n): n += 1
print(n)
PY
)
[ -n "$P" ] || { echo "need python3 to pick a prime" >&2; exit 1; }
N=$((P - 1))
PSQL="psql -X -q -A -t -v ON_ERROR_STOP=1"

$PSQL <<SQL
\set QUIET on
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_sketch;
DELETE FROM drift.baselines WHERE name = 'bench_sketch';
SELECT 'peak RSS before (kB): ' || (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'),
                                                 'VmHWM:\s+(\d+) kB'))[1];
SELECT 'values: $N, max_entries: $K, prime: $P';
-- control: the same stream through a built-in aggregate, to separate the
-- executor's own peak (generate_series) from the sketch's
SELECT clock_timestamp() AS c0 \gset
SELECT max(((g * 1103515245) % $P)::float8) FROM (SELECT generate_series(1::bigint, $N) AS g) s \gset
SELECT 'control max(x) time (s): ' || round(extract(epoch FROM clock_timestamp() - :'c0'::timestamptz)::numeric, 1)
       || ', peak RSS after control (kB): '
       || (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmHWM:\s+(\d+) kB'))[1];
SELECT clock_timestamp() AS t0 \gset
CREATE TABLE bench_sketch AS
  SELECT drift_sketch_agg(((g * 1103515245) % $P)::float8, $K) AS p
    FROM (SELECT generate_series(1::bigint, $N) AS g) s;
SELECT 'build time (s): ' || round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)::numeric, 1);
SELECT 'peak RSS after (kB): ' || m[1] || ' (now: private RssAnon ' || a[1] || ' kB, shared buffers touched RssShmem '
       || sh[1] || ' kB)'
  FROM (SELECT pg_read_file('/proc/' || pg_backend_pid() || '/status') AS st) f,
       regexp_match(st, 'VmHWM:\s+(\d+) kB') m, regexp_match(st, 'RssAnon:\s+(\d+) kB') a,
       regexp_match(st, 'RssShmem:\s+(\d+) kB') sh;
SELECT 'entries: ' || i.distinct_entries || ', size (bytes): ' || i.size_bytes
       || ', exact profile would need (bytes): ' || (80 + 16 * $N::bigint)
       || ', stated rank_error bound: ' || i.rank_error
  FROM bench_sketch, drift_profile_info(p) i;
INSERT INTO drift.baselines (name, source_relation, row_count) VALUES ('bench_sketch', 'generated', $N);
INSERT INTO drift.baseline_columns SELECT 'bench_sketch', 'x', 'double precision', 'numeric', p FROM bench_sketch;
-- the values are 1..N, so the exact mid-rank is (#{x < q} + 0.5 #{x = q}) / N
SELECT 'max observed |quantile error|: ' || max(abs(drift_quantile(q, 'bench_sketch', 'x')
         - (least(greatest(ceil(q) - 1, 0), $N) + CASE WHEN q = floor(q) AND q BETWEEN 1 AND $N THEN 0.5 ELSE 0 END)
           / $N::float8))
       || ' over 500,001 points (bound ' || (SELECT (drift_profile_info(p)).rank_error FROM bench_sketch) || ')'
  FROM (SELECT (k * ($N / 500000.0) + (k % 3) * 0.5)::float8 AS q FROM generate_series(0, 500000) k) qs;
DELETE FROM drift.baselines WHERE name = 'bench_sketch';
DROP TABLE bench_sketch;
SQL
