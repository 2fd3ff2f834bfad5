# HttpTest: helpers of the TAP tests that run real HTTP servers next to a
# cluster (test/t/110_prometheus.pl, 111_alertmanager.pl):
#   listener_node a started cluster (no preload), the pg_drift_listen
#                 program, a temporary directory and a connection string
#   free_port     a free TCP port on 127.0.0.1
#   start_server  start a server process (IPC::Run), output in a log file
#   stop_server   stop it by its PID (SIGTERM) and reap it
#   track         stop a process (an IPC::Run handle) at exit if still running
#   http_get      GET a URL: status and body;  http_json  GET and decode JSON
#   metric_sum    the sum of a metric's samples in Prometheus's text format
# HTTP::Tiny and JSON::PP are core Perl modules.
package HttpTest;

use strict;
use warnings;
use Exporter 'import';
use HTTP::Tiny;
use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;

our @EXPORT = qw(listener_node free_port start_server stop_server track http_get http_json
  metric_sum);

my $http = HTTP::Tiny->new(timeout => 10);

# Every process started here or tracked: a failing test must not leave a
# server behind.
my @tracked;
END { stop_server($_) for @tracked; }

sub track
{
	my ($h) = @_;
	push @tracked, $h;
	return $h;
}

# A new started cluster named $name; the path of pg_drift_listen, a
# temporary directory and a connection string to database postgres.
sub listener_node
{
	my ($name) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	$node->start;
	return ($node, $node->config_data('--bindir') . '/pg_drift_listen',
		PostgreSQL::Test::Utils::tempdir, $node->connstr('postgres'));
}

# A TCP port nothing listens on (PostgreSQL's test framework checks that it
# can bind 127.0.0.1 and reserves it against other tests running at once).
sub free_port
{
	return PostgreSQL::Test::Cluster::get_free_port();
}

# Start @$cmd with stdout and stderr appended to $log (tracked).  The
# IPC::Run handle.
sub start_server
{
	my ($cmd, $log) = @_;
	return track(IPC::Run::start($cmd, '<', \undef, '>>', $log, '2>>', $log));
}

# Stop a server started by start_server: SIGTERM to its PID, then reap it.
sub stop_server
{
	my ($h) = @_;
	return unless $h && $h->pumpable;
	$h->signal('TERM');
	$h->finish;
}

# GET $url: (status, body); status 599 when the connection failed.
sub http_get
{
	my ($url) = @_;
	my $r = $http->get($url);
	return ($r->{status}, $r->{content}, $r->{headers});
}

# GET $url and decode its JSON body; undef unless it answered 200 with JSON.
sub http_json
{
	my ($url) = @_;
	my ($status, $body) = http_get($url);
	return undef unless $status == 200;
	return eval { decode_json($body) };
}

# The sum of the samples of $name (with labels matching the regex $labels,
# if given) in a /metrics page.
sub metric_sum
{
	my ($text, $name, $labels) = @_;
	my $sum = 0;
	for my $line (split /\n/, $text)
	{
		next unless $line =~ /^\Q$name\E(?:\{([^}]*)\})?\s+(\S+)$/;
		my ($l, $v) = ($1 // '', $2);
		next if defined $labels && $l !~ $labels;
		$sum += $v;
	}
	return $sum;
}

1;
