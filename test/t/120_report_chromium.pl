# drift.report() in a real browser: the page is written to a file, rendered
# by Debian's headless Chromium to a PNG, and the PNG is decoded here (pure
# Perl: Compress::Zlib and the PNG format, RFC 2083) to check that it is not
# blank: many distinct colours, a real share of non-white pixels, and the
# colours only the SVG charts use (threshold red, baseline blue, current
# orange, the series blue), so the inline SVG was drawn, not just the text.
use strict;
use warnings;
use Compress::Zlib;
use File::Temp qw(tempdir);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my ($chromium) = grep { -x } map { "$_/chromium" } split /:/, "$ENV{PATH}:/usr/bin";
ok($chromium, 'Debian\'s chromium is installed (scripts/lib.sh installs it)')
  or BAIL_OUT('chromium not found; install the chromium package');

my $node = PostgreSQL::Test::Cluster->new('report');
$node->init;
$node->start;

# A week of predictions in which x drifts on days 4 and 5, two monitors.
$node->safe_psql('postgres', q{
  CREATE EXTENSION pg_drift;
  CREATE TABLE train AS SELECT (g % 100)::float8 AS x, (g % 7)::text AS cat FROM generate_series(1, 2000) g;
  CREATE TABLE preds (ts timestamptz, x float8, cat text);
  INSERT INTO preds
    SELECT timestamptz '2026-03-01 00:00+00' + (d - 1) * interval '1 day' + g * interval '1 minute',
           (g % 100) * CASE WHEN d IN (4, 5) THEN 1.4 ELSE 1 END,
           CASE WHEN d IN (4, 5) AND g % 3 = 0 THEN '0' ELSE (g % 7)::text END
      FROM generate_series(1, 7) d, generate_series(1, 900) g;
  SELECT count(*) FROM drift.capture_baseline('base', 'train');
  SELECT drift.create_monitor('x_ks', 'preds', metric => 'ks', column_name => 'x', baseline => 'base',
         threshold => 0.01, time_column => 'ts', window_size => '1 day', schedule => '1 day', paused => true);
  SELECT drift.create_monitor('cat_chi2', 'preds', metric => 'chi2', column_name => 'cat', baseline => 'base',
         threshold => 0.01, time_column => 'ts', window_size => '1 day', schedule => '1 day', paused => true);
  SELECT count(*)
    FROM generate_series(timestamptz '2026-03-02 00:00+00', '2026-03-05 00:00+00', '1 day') d,
         (SELECT name FROM drift.monitors ORDER BY name) m,
         LATERAL drift.run_monitor(m.name, as_of => d);
});

my $dir = tempdir(CLEANUP => 1);
my $html = "$dir/report.html";
my $png = "$PostgreSQL::Test::Utils::tmp_check/report.png";
my $page = $node->safe_psql('postgres', 'SELECT drift.report()');
open my $fh, '>:raw', $html or die "cannot write $html: $!";
print $fh $page;
close $fh;
like($page, qr/^<!DOCTYPE html>/, 'the report is an HTML page');
unlike($page, qr/https?:|<script|\bsrc=|\bhref=/i, 'the page refers to nothing outside itself');

# --no-sandbox: the suite may run as root; a private profile directory:
# HOME may not be writable.  Chromium logs D-Bus complaints on stderr in a
# container; only its exit status and the file count.
my ($out, $err) = ('', '');
my $ok = IPC::Run::run(
	[ $chromium, '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars',
	  "--user-data-dir=$dir/profile", '--window-size=1200,2000', "--screenshot=$png",
	  "file://$html" ],
	'<', \undef, '>', \$out, '2>', \$err, IPC::Run::timeout(180));
ok($ok && -s $png, 'chromium renders the page to a PNG') or diag($err);

my $img = read_png($png);
is("$img->{width}x$img->{height}", '1200x2000', 'the screenshot has the window\'s size');

# colour statistics over all pixels
my (%colours, $non_white);
my %want = (threshold => [ 0xd6, 0x27, 0x28 ], baseline => [ 0x5b, 0x7f, 0xa6 ],
			current => [ 0xff, 0x7f, 0x0e ], series => [ 0x1f, 0x77, 0xb4 ]);
my %near;
for my $row (@{ $img->{rows} })
{
	my $bpp = $img->{bpp};
	for (my $i = 0; $i + 2 < length $row; $i += $bpp)
	{
		my ($r, $g, $b) = unpack 'C3', substr($row, $i, 3);
		$colours{ ($r << 16) | ($g << 8) | $b } = 1;
		$non_white++ if $r + $g + $b < 720;
		for my $k (keys %want)
		{
			my $w = $want{$k};
			$near{$k}++ if abs($r - $w->[0]) + abs($g - $w->[1]) + abs($b - $w->[2]) < 24;
		}
	}
}
my $pixels = $img->{width} * $img->{height};
cmp_ok(scalar(keys %colours), '>', 200, 'the screenshot has many distinct colours (' . scalar(keys %colours) . ')');
cmp_ok($non_white / $pixels, '>', 0.03, sprintf('a real share of the page is drawn (%.1f%%)', 100 * $non_white / $pixels));
for my $k (sort keys %want)
{
	cmp_ok($near{$k} // 0, '>', 200, "the $k colour of the charts is drawn (" . ($near{$k} // 0) . ' px)');
}

$node->stop;
done_testing();

# Decode an 8-bit, non-interlaced RGB or RGBA PNG into its unfiltered rows
# (RFC 2083: chunks, zlib-compressed IDAT, per-row filters 0-4).
sub read_png
{
	my ($file) = @_;
	open my $in, '<:raw', $file or die "cannot read $file: $!";
	local $/;
	my $data = <$in>;
	close $in;
	substr($data, 0, 8) eq "\x89PNG\r\n\x1a\n" or die "$file is not a PNG";
	my ($pos, $idat, %h) = (8, '');
	while ($pos < length $data)
	{
		my ($len, $type) = unpack 'N A4', substr($data, $pos, 8);
		my $body = substr($data, $pos + 8, $len);
		$pos += 12 + $len;
		if ($type eq 'IHDR')
		{
			@h{qw(width height depth ctype interlace)} = unpack 'N N C C x x C', $body;
		}
		$idat .= $body if $type eq 'IDAT';
		last if $type eq 'IEND';
	}
	die "unsupported PNG (depth $h{depth}, colour type $h{ctype}, interlace $h{interlace})"
	  unless $h{depth} == 8 && ($h{ctype} == 2 || $h{ctype} == 6) && !$h{interlace};
	my $raw = uncompress($idat) // die "cannot inflate $file";
	my $bpp = $h{ctype} == 6 ? 4 : 3;
	my $stride = $h{width} * $bpp;
	my @prev = (0) x $stride;
	my @rows;
	for my $y (0 .. $h{height} - 1)
	{
		my $off = $y * ($stride + 1);
		my $filter = ord substr($raw, $off, 1);
		my @cur = unpack 'C*', substr($raw, $off + 1, $stride);
		if ($filter == 1)
		{
			$cur[$_] = ($cur[$_] + $cur[ $_ - $bpp ]) & 255 for $bpp .. $stride - 1;
		}
		elsif ($filter == 2)
		{
			$cur[$_] = ($cur[$_] + $prev[$_]) & 255 for 0 .. $stride - 1;
		}
		elsif ($filter == 3)
		{
			for my $i (0 .. $stride - 1)
			{
				my $left = $i >= $bpp ? $cur[ $i - $bpp ] : 0;
				$cur[$i] = ($cur[$i] + (($left + $prev[$i]) >> 1)) & 255;
			}
		}
		elsif ($filter == 4)
		{
			for my $i (0 .. $stride - 1)
			{
				my ($a, $b) = ($i >= $bpp ? $cur[ $i - $bpp ] : 0, $prev[$i]);
				my $c = $i >= $bpp ? $prev[ $i - $bpp ] : 0;
				my $p = $a + $b - $c;
				my ($pa, $pb, $pc) = (abs($p - $a), abs($p - $b), abs($p - $c));
				$cur[$i] = ($cur[$i] + ($pa <= $pb && $pa <= $pc ? $a : $pb <= $pc ? $b : $c)) & 255;
			}
		}
		elsif ($filter != 0)
		{
			die "bad PNG filter $filter in row $y";
		}
		push @rows, pack 'C*', @cur;
		@prev = @cur;
	}
	return { %h, bpp => $bpp, rows => \@rows };
}
