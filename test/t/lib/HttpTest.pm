# HttpTest: helpers of the TAP tests that run real HTTP servers next to a
# cluster (test/t/110_prometheus.pl, 111_alertmanager.pl):
#   free_port     a free TCP port on 127.0.0.1
#   start_server  start a server process (IPC::Run), output in a log file
#   stop_server   stop it by its PID (SIGTERM) and reap it
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

our @EXPORT = qw(free_port start_server stop_server http_get http_json metric_sum);

my $http = HTTP::Tiny->new(timeout => 10);

# A TCP port nothing listens on (PostgreSQL's test framework checks that it
# can bind 127.0.0.1 and reserves it against other tests running at once).
sub free_port
{
	return PostgreSQL::Test::Cluster::get_free_port();
}

# Start @$cmd with stdout and stderr appended to $log.  The IPC::Run handle.
sub start_server
{
	my ($cmd, $log) = @_;
	return IPC::Run::start($cmd, '<', \undef, '>>', $log, '2>>', $log);
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
