# DriftTest: the shared helpers of pg_drift's TAP tests (test/t/*.pl):
#   new_worker_node  a started cluster with pg_drift preloaded (the worker on)
#   wait_until       poll a Perl condition;  wait_true  poll an SQL condition
#   slurp_lines, wait_lines, start_listener   run pg_drift_listen and read
#                    its output files
# Waits are bounded by PostgreSQL::Test::Utils::timeout_default (180 s unless
# PG_TEST_TIMEOUT_DEFAULT says otherwise) unless a test gives its own bound,
# so that a loaded machine slows the tests down rather than failing them; a
# wait returns as soon as its condition holds.
package DriftTest;

use strict;
use warnings;
use Exporter 'import';
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

our @EXPORT = qw(new_worker_node wait_true slurp_lines wait_until wait_lines start_listener);

# A new cluster named $name, initialised and started with pg_drift in
# shared_preload_libraries, a 1-second naptime and room for the worker's
# processes; @conf are further postgresql.conf lines (e.g.
# "pg_drift.database_check_interval = 1").  The node.
sub new_worker_node
{
	my ($name, @conf) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	$node->append_conf('postgresql.conf', join("\n",
		"shared_preload_libraries = 'pg_drift'",
		'pg_drift.naptime = 1',
		'max_worker_processes = 16',
		@conf) . "\n");
	$node->start;
	return $node;
}

# The lines of a file, without newlines; none if it does not exist.
sub slurp_lines
{
	my ($f) = @_;
	return () unless -e $f;
	open my $fh, '<', $f or die "could not open $f: $!";
	my @l = <$fh>;
	close $fh;
	chomp @l;
	return @l;
}

# Poll a condition every 0.1 s until it holds (1) or $secs (default: the
# timeout) pass (0).
sub wait_until
{
	my ($cond, $secs) = @_;
	my $tries = ($secs // $PostgreSQL::Test::Utils::timeout_default) * 10;
	for (1 .. $tries)
	{
		return 1 if $cond->();
		select(undef, undef, undef, 0.1);
	}
	return 0;
}

# Poll until $sql in database $db returns 't' (1) or $secs pass (0).  An
# error counts as "not yet" (the server may be restarting after a crash); the
# last one is shown if the wait fails.
sub wait_true
{
	my ($node, $db, $sql, $secs) = @_;
	my $err = '';
	return 1 if wait_until(sub {
		my ($ret, $out, $stderr) = $node->psql($db, $sql);
		$err = $stderr if $ret != 0;
		return $ret == 0 && $out eq 't';
	}, $secs);
	diag("wait_true gave up on: $sql" . ($err ne '' ? "\nlast error: $err" : ''));
	return 0;
}

# Wait until a file has at least $n lines.
sub wait_lines
{
	my ($f, $n) = @_;
	return wait_until(sub { scalar(my @l = slurp_lines($f)) >= $n });
}

# Start a listener (the command line in @$cmd), stdout and stderr appended to
# $out and $err, and wait until it says it listens.  Its IPC::Run handle.
sub start_listener
{
	my ($cmd, $out, $err) = @_;
	my $before = () = slurp_lines($err);
	my $h = IPC::Run::start($cmd, '>>', $out, '2>>', $err);
	wait_until(sub {
		my @l = slurp_lines($err);
		return grep { /listening on/ } @l[ $before .. $#l ];
	}) or do {
		# not left running after the test
		$h->kill_kill;
		die "pg_drift_listen did not start listening: " . join("\n", slurp_lines($err));
	};
	return $h;
}

1;
