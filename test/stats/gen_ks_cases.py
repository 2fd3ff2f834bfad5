#!/usr/bin/python3
"""Generate the SciPy reference tables for the KS library tests (test/stats/data/).

Run with Debian's interpreter, which has SciPy 1.10.1:

    /usr/bin/python3 test/stats/gen_ks_cases.py test/stats/data

Deterministic (fixed seeds, fixed grids); writes

  ks2_cases.csv   n1,n2,d,alternative,statistic,p_value,method,note
                  scipy.stats.ks_2samp(data1, data2, alternative, method='auto')
                  on synthetic data.  d is the statistic exactly as SciPy computes
                  it from the data before any rounding (the input of the C
                  function ks_two_sample), statistic/p_value/method what SciPy
                  returns.  Most rows use tied data (a zeros and n1-a twos against
                  b zeros and n2-b twos), which realises d = a/n1 - b/n2 exactly
                  as SciPy evaluates it, so any lattice value h/lcm can be reached;
                  SciPy's exact p-values ignore ties, so this is the p-value of a
                  continuous sample with that statistic.  Some rows use continuous
                  random data.
  kstwo_sf.csv    n,x,sf,branch      scipy.stats.kstwo.sf(x, n)
  smirnov_sf.csv  n,x,sf,branch      scipy.special.smirnov(n, x)

The branch column names the method SciPy selects (derived from SciPy 1.10's
_kolmogn / Cephes smirnov conditions); it is only used to report errors per
branch.  Numbers: inputs with repr() (round trip), expected values with %.17g.
"""
import csv
import math
import os
import sys
import warnings

import numpy as np
import scipy
from scipy import special, stats

assert scipy.__version__ == "1.10.1", scipy.__version__

MINLOG = -7.451332191019412076235e2   # Cephes with DENORMAL: log(2**-1075)


def g17(v):
    return "%.17g" % v


# ---------------------------------------------------------------- two-sample

def scipy_raw_d(data1, data2, alternative):
    """The statistic exactly as ks_2samp computes it, before exact rounding."""
    data1 = np.sort(data1)
    data2 = np.sort(data2)
    n1, n2 = data1.shape[0], data2.shape[0]
    data_all = np.concatenate([data1, data2])
    cdf1 = np.searchsorted(data1, data_all, side='right') / n1
    cdf2 = np.searchsorted(data2, data_all, side='right') / n2
    cddiffs = cdf1 - cdf2
    minS = np.clip(-cddiffs[np.argmin(cddiffs)], 0, 1)
    maxS = cddiffs[np.argmax(cddiffs)]
    if alternative == 'less' or (alternative == 'two-sided' and minS > maxS):
        return float(minS)
    return float(maxS)


def run_ks(data1, data2, alternative):
    n1, n2 = len(data1), len(data2)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        res = stats.ks_2samp(data1, data2, alternative=alternative, method='auto')
    failed = any('Exact calculation unsuccessful' in str(x.message) for x in w)
    if failed:
        method = 'exact_failed_asymp'
    elif max(n1, n2) <= 10000:
        method = 'exact'
    else:
        method = 'asymp'
    d = scipy_raw_d(data1, data2, alternative)
    return d, float(res.statistic), float(res.pvalue), method


def tied(n1, n2, a, b):
    d1 = np.concatenate([np.zeros(a), np.full(n1 - a, 2.0)])
    d2 = np.concatenate([np.zeros(b), np.full(n2 - b, 2.0)])
    return d1, d2


ALTS = ('two-sided', 'less', 'greater')


class Ks2Rows:
    def __init__(self):
        self.rows = []
        self.seen = set()

    def add_data(self, data1, data2, alts=ALTS, note=''):
        for alt in alts:
            d, stat, p, method = run_ks(data1, data2, alt)
            key = (len(data1), len(data2), d, alt)
            if key in self.seen:
                continue
            self.seen.add(key)
            self.rows.append((len(data1), len(data2), repr(d), alt, g17(stat), g17(p),
                              method, note))

    def add_tied(self, n1, n2, a, b, alts=ALTS, note=''):
        a = int(min(max(a, 0), n1))
        b = int(min(max(b, 0), n2))
        d1, d2 = tied(n1, n2, a, b)
        self.add_data(d1, d2, alts, note)

    def add_target(self, n1, n2, dtarget, rng, alts=ALTS, note='', bfrac=None, mirror=True):
        """Tied data with cdf1 - cdf2 close to +dtarget (a/n1 - b/n2)."""
        if bfrac is None:
            bfrac = rng.uniform(0, 1 - dtarget) if dtarget < 1 else 0.0
        b = int(round(bfrac * n2))
        a = int(round((dtarget + b / n2) * n1))
        if a > n1:
            a = n1
            b = int(round((a / n1 - dtarget) * n2))
        self.add_tied(n1, n2, a, b, alts, note)
        if mirror:
            # the mirrored configuration exercises 'less' with a positive statistic
            self.add_tied(n1, n2, int(round((b / n2) * n1)), int(round((a / n1) * n2)), alts,
                          note)


def gen_ks2(out):
    rng = np.random.default_rng(20240611)
    R = Ks2Rows()

    # every attainable statistic for tiny sizes
    for n1 in range(1, 5):
        for n2 in range(1, 5):
            for a in range(n1 + 1):
                for b in range(n2 + 1):
                    R.add_tied(n1, n2, a, b, note='tiny-all')

    # equal sizes, every h (two-sided h = 1 exceeds 1 in SciPy's sum -> fallback)
    for n in list(range(5, 15)) + [23, 30]:
        for h in range(0, n + 1):
            R.add_tied(n, n, h, 0, note='equal-all-h')

    # unequal sizes, every h
    for (n1, n2) in [(7, 9), (10, 12), (4, 30), (31, 8)]:
        done = set()
        for a in range(n1 + 1):
            for b in range(n2 + 1):
                d = a / n1 - b / n2
                if d < 0 or d in done:
                    continue
                done.add(d)
                R.add_tied(n1, n2, a, b, note='unequal-all-h')

    # selected sizes across the range, statistics from 0 to 1
    dgrid = [0.0, 0.001, 0.01, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5,
             0.6, 0.75, 0.9, 0.99, 1.0]
    pairs = [(1, 1), (1, 2), (2, 1), (1, 5), (5, 1), (10, 1), (1, 10000), (10000, 1),
             (2, 10000), (5, 10000), (10000, 5), (10000, 7), (22, 1502), (29, 2303),
             (100, 100), (100, 120), (101, 300), (150, 170), (200, 150), (200, 300),
             (300, 700), (400, 500), (412, 1040), (500, 600), (600, 500), (700, 900),
             (751, 702), (800, 900), (823, 981), (351, 2003), (2003, 351), (1000, 800),
             (1000, 1000), (1001, 300), (2000, 20), (2000, 3000), (3000, 10000),
             (10000, 3000), (5000, 5000), (9999, 10000), (10000, 10000),
             (1, 20000), (20000, 1), (3, 50000), (50000, 3), (10001, 1), (10001, 500),
             (500, 10001), (10000, 10001), (10001, 10000), (10001, 10001),
             (20000, 30000), (100000, 100000), (12345, 67890)]
    for (n1, n2) in pairs:
        picks = [0.0, 1.0] + list(rng.choice(dgrid[1:-1], 5, replace=False))
        for dt in picks:
            R.add_target(n1, n2, float(dt), rng, note='grid', mirror=rng.uniform() < 0.5)

    # exact <-> binom overflow boundary for the one-sided unequal case:
    # for several m the largest n with C(m+n, n) finite, and the next one
    for m in [10000, 9125, 6497, 5000, 2890, 1402, 699, 600]:
        lc = lambda n: (math.lgamma(m + n + 1) - math.lgamma(m + 1)
                        - math.lgamma(n + 1))
        n = 1
        while lc(n + 1) < math.log(np.finfo(float).max):
            n += 1
        for nn in (n, n + 1):
            if nn == m:
                continue
            for dt in (0.02, 0.1, 0.3, 0.6, 1.0):
                R.add_target(m, nn, dt, rng, alts=('less', 'greater'), note='binom-boundary')

    # p-values far in the tail (below 1e-100) and underflow to 0
    for (n1, n2, dts) in [(1000, 1000, [0.5, 0.7, 0.9]), (600, 700, [0.6, 0.8]),
                          (300, 700, [0.7, 0.9, 1.0]), (2000, 3000, [0.35, 0.6]),
                          (5000, 4999, [0.25, 0.4, 0.7]), (10000, 9999, [0.2, 0.5]),
                          (10000, 10000, [0.2, 0.5, 0.9]), (135, 10000, [0.8, 1.0]),
                          (20000, 30000, [0.1, 0.12, 0.15, 0.2, 0.5]),
                          (100000, 100000, [0.05, 0.06, 0.08, 0.1]),
                          (10001, 10001, [0.15, 0.2, 0.25])]:
        for dt in dts:
            R.add_target(n1, n2, dt, rng, note='tail')

    # continuous random data (statistic from real ECDFs)
    for (n1, n2, shift) in [(8, 13, 0.5), (40, 40, 0.3), (57, 91, 0.0), (150, 151, 0.6),
                            (333, 444, 0.2), (1000, 999, 0.1), (2500, 10000, 0.05),
                            (10000, 10000, 0.03), (10001, 2000, 0.05), (30000, 25000, 0.02),
                            (7, 20000, 1.0), (3, 50000, 2.0), (1, 20000, 0.0),
                            (2, 2, 0.0), (3000, 97, 0.8)]:
        for rep in range(2):
            d1 = rng.normal(0, 1, n1)
            d2 = rng.normal(shift * (rep + 1), 1, n2)
            R.add_data(d1, d2, note='random')

    # one very large case per asymptotic branch of kstwo (effective n ~ 1e6, > 1e6)
    for (n, dts) in [(2000000, [0.0012, 0.003]), (2400000, [0.0014, 0.004])]:
        for dt in dts:
            R.add_target(n, n, dt, rng, alts=('two-sided', 'greater'), note='huge',
                         bfrac=0.3)

    with open(os.path.join(out, 'ks2_cases.csv'), 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['n1', 'n2', 'd', 'alternative', 'statistic', 'p_value', 'method', 'note'])
        for r in R.rows:
            w.writerow(r)
    return len(R.rows)


# ---------------------------------------------------------------- kstwo.sf

def kstwo_branch(n, x):
    if x <= 0.5 / n:
        return 'support-low'
    if x >= 1.0:
        return 'support-high'
    t = n * x
    if t <= 1.0:
        return 'rg-low' if t > 0.5 else 'support-low'
    if t >= n - 1:
        return 'rg-high'
    if x >= 0.5:
        return 'x>=0.5:2smirnov'
    nxsq = t * x
    if n <= 140:
        if nxsq <= 0.754693:
            return 'n<=140:durbin'
        if nxsq <= 4:
            return 'n<=140:pomeranz'
        return 'n<=140:2smirnov'
    if nxsq >= 370.0:
        return 'zero'
    if nxsq >= 2.2:
        return '2smirnov' if n <= 1000000 else '2smirnov-approx'
    if n <= 100000 and n * x ** 1.5 <= 1.4:
        return 'durbin'
    return 'pelz-good'


def around(v):
    return [np.nextafter(v, 0.0), v, np.nextafter(v, 2.0)]


def kstwo_xs(n, rng, dense):
    """x values around every branch boundary of _kolmogn, plus interior points."""
    xs = []
    xs += around(0.5 / n)
    xs += [0.6 / n, 0.75 / n, 0.99 / n] + around(1.0 / n)
    if n >= 2:
        xs += around(1 - 1.0 / n) + [1 - 0.5 / n, 1 - 1e-3 / n, np.nextafter(1.0, 0.0)]
    xs += around(0.5) + [0.6, 0.75, 0.9]
    for tg in [0.05, 0.2, 0.5, 1.0, 2.0, 3.0, 6.0, 10.0, 18.0, 50.0, 100.0, 200.0, 300.0,
               354.0, 365.0, 400.0]:
        xs.append(math.sqrt(tg / n))
    for tg in (0.754693, 2.2, 4.0, 370.0):
        xs += around(math.sqrt(tg / n))
    if n > 140:
        # the Durbin / Pelz-Good switch n*x**1.5 <= 1.4.  SciPy evaluates x**1.5
        # with NumPy's power ufunc (x is a 0-d array there), which on AVX-512
        # machines is SVML's pow, not libm's; keep only points where both agree
        # (at the others SciPy's own choice depends on the CPU).
        xb = (1.4 / n) ** (2.0 / 3.0)
        for x in around(xb) + [xb * (1 - 1e-12), xb * (1 + 1e-12), 0.5 * xb, 0.7 * xb,
                               0.9 * xb, 0.99 * xb, 1.01 * xb, 1.3 * xb, 2.0 * xb]:
            if (n * math.pow(x, 1.5) <= 1.4) == bool(n * np.power(np.array(x), 1.5) <= 1.4):
                xs.append(x)
    xs += list(rng.uniform(0.5 / n, min(1.0, 5.0 / math.sqrt(n)), 3))
    xs += [0.0, 1.0]
    xs = sorted(set(float(x) for x in xs if 0.0 <= x <= 1.0))
    if not dense:
        xs = sorted(rng.choice(xs, min(len(xs), 10), replace=False))
    return xs


def gen_kstwo(out):
    rng = np.random.default_rng(777)
    rows = []
    ns = [(n, n <= 10 or n in (16, 25, 50, 64, 100, 128, 139, 140)) for n in range(1, 141)]
    big = [141, 142, 150, 200, 257, 500, 1000, 1234, 5000, 10000, 31622, 50000, 99999,
           100000, 100001, 150000, 500000, 999999, 1000000, 1000001, 3000000,
           10 ** 7, 123456789, 10 ** 9, 2 * 10 ** 9]
    ns += [(n, True) for n in big]
    for n, dense in ns:
        for x in kstwo_xs(n, rng, dense):
            br = kstwo_branch(n, x)
            if br == '2smirnov' and n > 100000 and rng.uniform() < 0.6:
                continue        # SciPy's dd Smirnov sum is slow for large n
            if br in ('rg-low', 'rg-high', 'support-low', 'support-high', 'x>=0.5:2smirnov') \
                    and n > 10 and rng.uniform() < 0.5:
                continue        # simple closed forms: fewer rows
            sf = float(stats.kstwo.sf(x, n))
            rows.append((n, repr(x), g17(sf), br))
    with open(os.path.join(out, 'kstwo_sf.csv'), 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['n', 'x', 'sf', 'branch'])
        for r in rows:
            w.writerow(r)
    return len(rows)


# ---------------------------------------------------------------- smirnov

def smirnov_branch(n, x):
    if n == 1:
        return 'n=1'
    if x == 0.0 or x == 1.0:
        return 'x=0,1'
    nx = n * x
    if nx <= 1.0:
        return 'x<=1/n'
    if -2 * n * x * x < MINLOG:
        return 'underflow-0'
    if nx >= n - 1:
        return 'x>=1-1/n'
    if n > 1000000:
        return 'approx-n>1e6'
    nxfl = math.floor(nx)
    alpha = nx - nxfl
    n1mxceil = n - nxfl + (1 if alpha == 0 else 0)
    nup = n - n1mxceil + 1
    if (nup <= 1 and x < 0.5) or (n >= 10 and nup <= 3 and x <= 0.5 / math.sqrt(n)):
        return 'upper-sum'
    return 'lower-sum'


def gen_smirnov(out):
    rng = np.random.default_rng(4242)
    rows = []
    ns = [1, 2, 3, 4, 5, 7, 9, 10, 11, 12, 16, 20, 25, 36, 50, 64, 100, 140, 141, 300, 1000,
          4096, 10000, 65536, 100000, 300000, 999999, 1000000, 1000001, 2500000, 10 ** 8,
          2 * 10 ** 9]
    for n in ns:
        xs = [0.0, 1.0, 1e-300, 1e-12, 0.5 / n, 0.99 / n] + around(1.0 / n)
        xs += [1.5 / n, 2.0 / n, 2.5 / n, 3.0 / n, 3.5 / n] + around(0.5 / math.sqrt(n))
        xs += around(0.5) + [0.25, 0.75, 0.9, 0.999]
        if n >= 2:
            xs += around(1 - 1.0 / n) + [1 - 0.3 / n]
        for tg in (0.01, 0.1, 0.5, 1.0, 2.0, 5.0, 20.0, 100.0, 300.0, 340.0, 350.0):
            xs.append(math.sqrt(tg / n))
        xs += around(math.sqrt(-MINLOG / 2 / n))
        xs += list(rng.uniform(0, 1, 3)) + list(rng.uniform(0, 3 / math.sqrt(n), 3))
        for x in sorted(set(float(v) for v in xs if 0.0 <= v <= 1.0)):
            br = smirnov_branch(n, x)
            if br == 'lower-sum' and n >= 300000 and rng.uniform() < 0.5:
                continue
            rows.append((n, repr(x), g17(float(special.smirnov(n, x))), br))
    with open(os.path.join(out, 'smirnov_sf.csv'), 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['n', 'x', 'sf', 'branch'])
        for r in rows:
            w.writerow(r)
    return len(rows)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), 'data')
    os.makedirs(out, exist_ok=True)
    np.seterr(all='ignore')
    print('kstwo_sf rows', gen_kstwo(out), flush=True)
    print('smirnov_sf rows', gen_smirnov(out), flush=True)
    print('ks2 rows', gen_ks2(out), flush=True)


if __name__ == '__main__':
    main()
