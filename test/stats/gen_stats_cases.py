#!/usr/bin/python3
"""Generate the SciPy/NumPy reference tables for the stats layer's unit tests
(test/stats/stats_test.c), one CSV per file of src/stats that ks_test.c does
not already cover:

    /usr/bin/python3 test/stats/gen_stats_cases.py test/stats/data

Needs Debian's python3-scipy (1.10.1) and python3-numpy for generation only;
the CSVs are committed and the C tests read them without Python.
Deterministic (fixed seeds).  Fields are separated by ',', lists inside a
field by ' '; inputs are written with repr() (they round-trip through
strtod), expected values with %.17g.

  binned_distance.csv  fn,fill,cb,cc,expected
        fn = psi | kl | js | hellinger: the definitions of SPEC.md section 4
        (psi/kl with the zero fill, kl = scipy.stats.entropy(pc, pb) after the
        fill, js = scipy.spatial.distance.jensenshannon, natural log).  Nearly
        identical samples use exact rational differences (fractions), since a
        float64 evaluation of the definition is itself inaccurate there.
        fn = propdiff: cc/nc - cb/nb with cb, cc single counts and nb, nc in
        the fill column as "nb nc", exact (fractions) then rounded.
  categorical_stats.csv  cb,cc,chi2_stat,chi2_p,dof,psi,js,linf,tvd
        scipy.stats.chi2_contingency([cb, cc]) (defaults: Yates' correction
        when dof = 1), psi with fill 1e-4, js, linf, tvd as SPEC.md section 4.
  chi2.csv  fn,a,x,expected
        fn = chi2_sf: scipy.stats.chi2.sf(x, a); fn = gamma_q:
        scipy.special.gammaincc(a, x); includes 0, inf, NaN and tails far
        below 1e-300.  Where SciPy underflows to 0 in the subnormal range the
        exact closed form for even dof is used, and dof <= 0 follows the C
        convention (1, as chi2_contingency for one category; SciPy: NaN).
  mean_shift.csv  b,c,ok,z,p
        z = (mean c - mean b) / sqrt(var_b/n_b + var_c/n_c) (ddof 1),
        p = 2 * scipy.stats.norm.sf(|z|); ok = 0 where the C code defines the
        test as undefined (a sample of fewer than two values, a standard
        error that is zero as a double, an infinite or NaN value).
        Reference means and variances in exact rational arithmetic.
  wasserstein_1d.csv  b,c,expected
        scipy.stats.wasserstein_distance(b, c); rows with infinite values
        follow the C code's documented convention instead (an infinite
        interval where the ECDFs agree adds 0, where they differ makes the
        distance inf), because SciPy returns NaN there.
  float_sort.csv  values,unique,counts
        numpy.unique(values, return_counts=True) of a random multiset (with
        ties, -0.0, subnormals, +-inf; never NaN, which the callers remove).
  kolmogorov_parts.csv  method,n,x,cdf
        The individual one-sample algorithms of kolmogorov_exact.c and
        kolmogorov.c against SciPy's own implementations of the same
        algorithms (scipy.stats._ksstats: _kolmogn_DMTW, _kolmogn_Pomeranz,
        _kolmogn_PelzGood), in the ranges where SciPy uses them.
"""
import csv
import math
import os
import sys
from fractions import Fraction

import numpy as np
import scipy
from scipy import special, stats
from scipy.spatial import distance
from scipy.stats import _ksstats

assert scipy.__version__ == "1.10.1", scipy.__version__

FILL = 1e-4


def g(v):
    """Expected value: %.17g round-trips every double (nan/inf as strtod reads them)."""
    return "%.17g" % v


def ints(a):
    return " ".join(str(int(v)) for v in a)


def floats(a):
    return " ".join(repr(float(v)) for v in a)


def write(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


# --------------------------------------------------------------------------
# binned distances

def filled(c, n):
    return np.array([v / n if v > 0 else FILL for v in c], dtype=float)


def psi_ref(cb, cc):
    nb, nc = sum(cb), sum(cc)
    pb, pc = filled(cb, nb), filled(cc, nc)
    return float(np.sum((pc - pb) * np.log(pc / pb)))


def kl_ref(cb, cc):
    nb, nc = sum(cb), sum(cc)
    return float(stats.entropy(filled(cc, nc), filled(cb, nb)))


def js_ref(cb, cc):
    pb = np.array(cb, dtype=float) / sum(cb)
    pc = np.array(cc, dtype=float) / sum(cc)
    return float(distance.jensenshannon(pb, pc))


def hellinger_ref(cb, cc):
    pb = np.array(cb, dtype=float) / sum(cb)
    pc = np.array(cc, dtype=float) / sum(cc)
    return float(math.sqrt(0.5 * math.fsum((np.sqrt(pb) - np.sqrt(pc)) ** 2)))


def psi_exact(cb, cc):
    """Nearly identical, no empty bins: exact differences, then log1p."""
    nb, nc = sum(cb), sum(cc)
    terms = []
    for b, c in zip(cb, cc):
        d = Fraction(c, nc) - Fraction(b, nb)
        terms.append(float(d) * math.log1p(float(d / Fraction(b, nb))))
    return math.fsum(terms)


def hellinger_exact(cb, cc):
    nb, nc = sum(cb), sum(cc)
    terms = []
    for b, c in zip(cb, cc):
        d = float(Fraction(c, nc) - Fraction(b, nb))
        r = math.sqrt(b / nb) + math.sqrt(c / nc)
        terms.append((d / r) ** 2)
    return math.sqrt(0.5 * math.fsum(terms))


def kl_exact(cb, cc):
    """No empty bins (so no fill, sums are 1): sum q_b h(t), h(t) = (1+t)ln(1+t)-t."""
    nb, nc = sum(cb), sum(cc)
    terms = []
    for b, c in zip(cb, cc):
        qb = Fraction(b, nb)
        t = (Fraction(c, nc) - qb) / qb
        tf = float(t)
        # (1+t)ln(1+t) - t by its series, t is tiny here
        h = math.fsum((-tf) ** k / (k * (k - 1)) for k in range(2, 12))
        terms.append(float(qb) * h)
    return math.fsum(terms)


def js_exact(cb, cc):
    """m g(d), g(d) = sum d^(2k)/(k(2k-1)), d = (pb-pc)/(pb+pc), tiny here."""
    nb, nc = sum(cb), sum(cc)
    terms = []
    for b, c in zip(cb, cc):
        pb, pc = Fraction(b, nb), Fraction(c, nc)
        d = float((pb - pc) / (pb + pc))
        gd = math.fsum(d ** (2 * k) / (k * (2 * k - 1)) for k in range(1, 12))
        terms.append(float((pb + pc) / 2) * gd)
    return math.sqrt(math.fsum(terms) / 2)


def binned_rows(rng):
    rows = []
    cases = []
    for nbins in (1, 2, 3, 10, 25):
        for _ in range(6):
            nb_, nc_ = rng.integers(1, 5000), rng.integers(1, 5000)
            cb = rng.multinomial(nb_, rng.dirichlet(np.ones(nbins)))
            cc = rng.multinomial(nc_, rng.dirichlet(np.ones(nbins)))
            if nbins > 2 and rng.random() < 0.5:
                cb[rng.integers(nbins)] = 0      # empty bins exercise the fill
                cc[rng.integers(nbins)] = 0
            if cb.sum() == 0 or cc.sum() == 0:
                continue
            cases.append((list(cb), list(cc)))
    # edges: identical proportions, disjoint supports, one value per sample,
    # huge counts
    cases += [([5, 5, 0], [10, 10, 0]), ([7, 0], [0, 3]), ([1], [1]), ([1, 0], [0, 1]),
              ([0, 0, 4], [4, 0, 0]), ([10**12, 3, 10**9], [10**12 - 7, 5, 10**9 + 2])]
    for cb, cc in cases:
        rows.append(("psi", repr(FILL), ints(cb), ints(cc), g(psi_ref(cb, cc))))
        rows.append(("kl", repr(FILL), ints(cb), ints(cc), g(kl_ref(cb, cc))))
        rows.append(("js", "0.0", ints(cb), ints(cc), g(js_ref(cb, cc))))
        rows.append(("hellinger", "0.0", ints(cb), ints(cc), g(hellinger_ref(cb, cc))))
    # nearly identical large samples: the definitions cancel in float64
    for k in range(4):
        nbins = 10
        base = rng.integers(10**6, 10**7, size=nbins)
        cur = base * 3 + rng.integers(-3, 4, size=nbins)
        cb, cc = [int(v) for v in base], [int(v) for v in cur]
        rows.append(("psi", repr(FILL), ints(cb), ints(cc), g(psi_exact(cb, cc))))
        rows.append(("hellinger", "0.0", ints(cb), ints(cc), g(hellinger_exact(cb, cc))))
        rows.append(("kl", repr(FILL), ints(cb), ints(cc), g(kl_exact(cb, cc))))
        rows.append(("js", "0.0", ints(cb), ints(cc), g(js_exact(cb, cc))))
    for cb, nb, cc, nc in ((1, 3, 1, 3), (1, 3, 2, 7), (333333333, 10**9, 1, 3),
                           (2**52 + 1, 2**53, 1, 2), (0, 5, 5, 5), (10**15, 10**15 + 1, 10**15 - 1, 10**15)):
        rows.append(("propdiff", "%d %d" % (nb, nc), str(cb), str(cc),
                     g(float(Fraction(cc, nc) - Fraction(cb, nb)))))
    return rows


# --------------------------------------------------------------------------
# categorical statistics

def categorical_rows(rng):
    cases = []
    for k in (1, 2, 2, 2, 3, 5, 12, 40):
        for _ in range(4):
            cb = rng.multinomial(rng.integers(5, 3000), rng.dirichlet(np.ones(k)))
            cc = rng.multinomial(rng.integers(5, 3000), rng.dirichlet(np.ones(k) * 2))
            keep = (cb + cc) > 0     # chi2_contingency rejects all-zero columns
            cb, cc = cb[keep], cc[keep]
            if cb.sum() == 0 or cc.sum() == 0 or len(cb) == 0:
                continue
            cases.append((list(cb), list(cc)))
    # edges: Yates with a cell closer than 0.5 to its expectation, one
    # category, identical proportions, a far tail (p far below 1e-300)
    cases += [([10, 11], [10, 10]), ([7], [3]), ([20, 40, 60], [10, 20, 30]),
              ([50000, 0, 0], [0, 25000, 25000]), ([1, 0], [0, 1]),
              ([3000, 1], [1, 3000])]
    rows = []
    for cb, cc in cases:
        stat, p, dof, _ = stats.chi2_contingency(np.array([cb, cc]))
        nb, nc = sum(cb), sum(cc)
        pb = np.array(cb, dtype=float) / nb
        pc = np.array(cc, dtype=float) / nc
        fb = np.where(pb == 0, FILL, pb)
        fc = np.where(pc == 0, FILL, pc)
        psi = float(np.sum((fc - fb) * np.log(fc / fb)))
        js = float(distance.jensenshannon(pb, pc))
        linf = float(np.max(np.abs(pb - pc)))
        tvd = float(0.5 * np.sum(np.abs(pb - pc)))
        rows.append((ints(cb), ints(cc), g(stat), g(p), int(dof), g(psi), g(js), g(linf), g(tvd)))
    return rows


# --------------------------------------------------------------------------
# chi-square / incomplete gamma

def chi2_rows(rng):
    rows = []
    for dof in (1, 2, 3, 4, 5, 7, 10, 17, 30, 99, 250, 1000, 10**5):
        for q in (1e-6, 0.01, 0.3, 0.9, 1, 1.1, 2, 4, 10):
            x = float(dof * q)
            rows.append(("chi2_sf", repr(float(dof)), repr(x), g(stats.chi2.sf(x, dof))))
    # far tails down to and below the smallest subnormal, and the edges
    for dof, x in ((1, 100.0), (1, 1000.0), (3, 1400.0), (5, 2000.0), (1000, 5000.0),
                   (0.5, 3.0), (1, 0.0), (1, -1.0), (4, math.inf)):
        rows.append(("chi2_sf", repr(float(dof)), repr(x), g(stats.chi2.sf(x, dof))))
    # SciPy's Cephes underflows to 0 below ~1e-308 where the C code keeps the
    # subnormal result: for even dof, Q(m, y) = exp(-y) sum_{k<m} y^k/k! exactly
    for dof, x in ((10, 1500.0), (2, 1480.0), (2, 1490.0), (4, 1500.0)):
        m, y = dof // 2, x / 2
        ref = math.exp(-y + math.log(math.fsum(y ** k / math.factorial(k) for k in range(m))))
        rows.append(("chi2_sf", repr(float(dof)), repr(x), g(ref)))
    rows.append(("chi2_sf", "3.0", "nan", "nan"))
    # the C convention for no degrees of freedom (chi2_contingency's p = 1 for
    # one category); SciPy's chi2.sf gives NaN
    rows.append(("chi2_sf", "0.0", "5.0", "1"))
    rows.append(("chi2_sf", "-1.0", "5.0", "1"))
    for a in (0.01, 0.5, 1.0, 2.5, 10.0, 11.0, 123.4, 5000.0):
        for q in (0.001, 0.5, 0.99, 1.0, 1.01, 3.0, 20.0):
            x = float(a * q)
            rows.append(("gamma_q", repr(a), repr(x), g(special.gammaincc(a, x))))
    for a, x in ((1.0, 0.0), (2.0, math.inf), (-1.0, 1.0), (0.0, 1.0)):
        ref = special.gammaincc(a, x) if a > 0 else math.nan
        rows.append(("gamma_q", repr(a), repr(x), g(ref)))
    rows.append(("gamma_q", "nan", "1.0", "nan"))
    return rows


# --------------------------------------------------------------------------
# mean shift (z-test)

def exact_mean_var(xs):
    """Mean and sample variance in exact rational arithmetic (the inputs are
    exact binary fractions); near 1e8 a float64 mean alone is off by ~1e-8,
    more than the tolerance allows for a mean difference of 1e-4."""
    n = len(xs)
    fx = [Fraction(x) for x in xs]
    m = sum(fx) / n
    v = sum((x - m) ** 2 for x in fx) / (n - 1)
    return m, v


def mean_shift_rows(rng):
    cases = []
    for nb, nc, loc, scale, shift in ((50, 60, 0.0, 1.0, 0.1), (200, 150, 1e4, 1.0, 1e-3),
                                      (1000, 1000, 1e4, 1.0, 0.0), (30, 3000, -5.0, 2.0, 3.0),
                                      (2, 2, 1.0, 1.0, 0.5), (500, 400, 1e8, 1e-3, 1e-4),
                                      (100, 100, 0.0, 1.0, 40.0)):
        b = list(rng.normal(loc, scale, nb))
        c = list(rng.normal(loc + shift, scale, nc))
        cases.append((b, c))
    cases += [([1.0], [1.0, 2.0]), ([1.0, 2.0], [3.0]), ([5.0, 5.0, 5.0], [5.0, 5.0]),
              ([1.0, 1.0], [1.0, 2.0]), ([0.0, 1e-300], [0.0, 2e-300])]
    # non-finite values: the C code defines the test as undefined
    cases += [([1.0, math.inf], [1.0, 2.0]), ([1.0, 2.0], [-math.inf, 0.0, 1.0]),
              ([1.0, math.nan, 3.0], [1.0, 2.0])]
    rows = []
    for b, c in cases:
        if len(b) < 2 or len(c) < 2 or not all(map(math.isfinite, b + c)):
            rows.append((floats(b), floats(c), 0, "nan", "nan"))
            continue
        mb, vb = exact_mean_var(b)
        mc, vc = exact_mean_var(c)
        # the standard error as a double: zero also when it underflows
        se = math.sqrt(float(vb / len(b) + vc / len(c)))
        if not se > 0:
            rows.append((floats(b), floats(c), 0, "nan", "nan"))
            continue
        z = float((mc - mb) / Fraction(se))
        rows.append((floats(b), floats(c), 1, g(z), g(2 * stats.norm.sf(abs(z)))))
    return rows


# --------------------------------------------------------------------------
# Wasserstein-1

def wasserstein_rows(rng):
    rows = []
    for nb, nc in ((1, 1), (1, 5), (10, 10), (100, 37), (1000, 1200)):
        for tie in (False, True):
            b = rng.normal(0, 1, nb)
            c = rng.normal(0.3, 1.5, nc)
            if tie:
                b, c = np.round(b, 1), np.round(c, 1)
            rows.append((floats(b), floats(c), g(stats.wasserstein_distance(b, c))))
    rows.append(("1.0 2.0 3.0", "1.0 2.0 3.0", g(stats.wasserstein_distance([1, 2, 3], [1, 2, 3]))))
    rows.append(("-0.0 1.0", "0.0 1.0", "0"))
    rows.append(("1e300 -1e300", "0.0", g(stats.wasserstein_distance([1e300, -1e300], [0.0]))))
    # infinities: the C convention (SciPy gives NaN)
    rows.append(("1.0 inf", "1.0 inf", "0"))
    rows.append(("-inf 0.0 inf", "-inf 0.0 inf", "0"))
    rows.append(("1.0 2.0", "1.0 inf", "inf"))
    rows.append(("-inf 1.0", "0.0 1.0", "inf"))
    return rows


# --------------------------------------------------------------------------
# two-proportion z-test and multiple-testing corrections (SPEC.md section 9)

def proportion_z_rows(rng):
    """|z| with the pooled variance and p = 2 norm.sf(|z|), in exact rational
    arithmetic up to the square root; (0, 1) when both samples hold one value."""
    cases = [(3, 10, 7, 10), (0, 5, 5, 5), (0, 100, 0, 50), (40, 40, 10, 10), (1, 1000, 999, 1000),
             (300, 767, 500, 1203), (5000, 100000, 5400, 100000), (1, 2, 1, 2)]
    for _ in range(8):
        nb, nc = int(rng.integers(1, 3000)), int(rng.integers(1, 3000))
        cases.append((int(rng.integers(0, nb + 1)), nb, int(rng.integers(0, nc + 1)), nc))
    rows = []
    for xb, nb, xc, nc in cases:
        pool = Fraction(xb + xc, nb + nc)
        var = pool * (1 - pool) * (Fraction(1, nb) + Fraction(1, nc))
        if var == 0:
            rows.append((xb, nb, xc, nc, "0", "1"))
            continue
        z = abs(float((Fraction(xb, nb) - Fraction(xc, nc)) / Fraction(math.sqrt(float(var)))))
        rows.append((xb, nb, xc, nc, g(z), g(2 * stats.norm.sf(z))))
    return rows


def p_adjust_rows(rng):
    from statsmodels.stats.multitest import multipletests
    samples = [[0.01, 0.04, 0.03, 0.005], [0.5], [1.0, 1.0, 0.9], [0.02, 0.02, 0.02, 0.5],
               [1e-300, 0.3, 1e-20, 0.049, 0.051], [0.0, 0.2]]
    for m in (3, 7, 20, 100):
        samples.append(list(rng.uniform(0, 1, m) ** 3))
    rows = []
    for p in samples:
        for method, name in (("bonferroni", "bonferroni"), ("holm", "holm"), ("fdr_bh", "bh")):
            q = multipletests(p, method=method)[1]
            rows.append((name, floats(p), " ".join(g(v) for v in q)))
    return rows


# --------------------------------------------------------------------------
# sorting

def float_sort_rows(rng):
    rows = []
    specials = [0.0, -0.0, math.inf, -math.inf, 5e-324, -5e-324, 2.2250738585072014e-308,
                1.7976931348623157e308, -1.7976931348623157e308, 1.0, -1.0]
    for n in (0, 1, 2, 7, 255, 256, 257, 1000, 5000):
        kind = n % 3
        if kind == 0:
            v = rng.normal(0, 1e3, n)
        elif kind == 1:
            v = rng.integers(-20, 20, n).astype(float)      # many ties
        else:
            v = rng.standard_cauchy(n) * 10.0 ** rng.integers(-300, 300, n)
        v = list(v)
        if n >= 7:
            for i, s in enumerate(specials[: n // 2]):
                v[(i * 7919) % n] = s
        u, cnt = np.unique(np.array(v, dtype=float), return_counts=True)
        rows.append((floats(v), floats(u), ints(cnt)))
    # all keys share their high bytes (the skipped radix passes)
    v = [1.0 + i * 2.0 ** -52 for i in rng.permutation(600)]
    u, cnt = np.unique(v, return_counts=True)
    rows.append((floats(v), floats(u), ints(cnt)))
    return rows


# --------------------------------------------------------------------------
# the one-sample Kolmogorov algorithms

def kolmogorov_rows(rng):
    rows = []
    for n in (1, 2, 3, 5, 10, 20, 50, 100, 140, 500, 2000):
        for t in (0.3, 0.6, 0.9, 1.2, 1.8, 2.5):
            x = t / math.sqrt(n)
            if x <= 1.0 / n or x >= 1.0:
                continue
            rows.append(("durbin", n, repr(x), g(_ksstats._kolmogn_DMTW(n, x, cdf=True))))
            if n <= 140:
                rows.append(("pomeranz", n, repr(x), g(_ksstats._kolmogn_Pomeranz(n, x, cdf=True))))
    for n in (150, 500, 1000, 10**4, 10**5, 10**6):
        for t in (0.2, 0.5, 0.8, 1.0, 1.3, 2.0, 3.0):
            x = t / math.sqrt(n)
            rows.append(("pelz_good", n, repr(x), g(_ksstats._kolmogn_PelzGood(n, x, cdf=True))))
    return rows


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "data")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20261203)
    write(os.path.join(out, "binned_distance.csv"), ("fn", "fill", "cb", "cc", "expected"), binned_rows(rng))
    write(os.path.join(out, "categorical_stats.csv"),
          ("cb", "cc", "chi2_stat", "chi2_p", "dof", "psi", "js", "linf", "tvd"), categorical_rows(rng))
    write(os.path.join(out, "chi2.csv"), ("fn", "a", "x", "expected"), chi2_rows(rng))
    write(os.path.join(out, "mean_shift.csv"), ("b", "c", "ok", "z", "p"), mean_shift_rows(rng))
    write(os.path.join(out, "wasserstein_1d.csv"), ("b", "c", "expected"), wasserstein_rows(rng))
    write(os.path.join(out, "float_sort.csv"), ("values", "unique", "counts"), float_sort_rows(rng))
    write(os.path.join(out, "kolmogorov_parts.csv"), ("method", "n", "x", "cdf"), kolmogorov_rows(rng))
    # a generator of their own, so that adding them leaves the tables above unchanged
    rng2 = np.random.default_rng(20261204)
    write(os.path.join(out, "proportion_z.csv"), ("xb", "nb", "xc", "nc", "z", "p"), proportion_z_rows(rng2))
    write(os.path.join(out, "p_adjust.csv"), ("method", "p", "expected"), p_adjust_rows(rng2))


if __name__ == "__main__":
    main()
