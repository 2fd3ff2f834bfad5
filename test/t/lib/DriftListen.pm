# DriftListen: helpers for the TAP tests of pg_drift_listen (test/t/10[24]_*.pl):
# read its output files, wait for them with a bound, start it and wait until
# it listens.  Waits are bounded by PostgreSQL::Test::Utils::timeout_default
# (180 s unless PG_TEST_TIMEOUT_DEFAULT says otherwise), so that a loaded
# machine slows the tests down rather than failing them.
package DriftListen;

use strict;
use warnings;
use Exporter 'import';
use IPC::Run;
use PostgreSQL::Test::Utils;

our @EXPORT = qw(slurp_lines wait_until wait_lines start_listener);

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

# Poll a condition every 0.1 s until it holds (1) or the timeout passes (0).
sub wait_until
{
	my ($cond) = @_;
	my $tries = $PostgreSQL::Test::Utils::timeout_default * 10;
	for (1 .. $tries)
	{
		return 1 if $cond->();
		select(undef, undef, undef, 0.1);
	}
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
	}) or die "pg_drift_listen did not start listening: " . join("\n", slurp_lines($err));
	return $h;
}

1;
