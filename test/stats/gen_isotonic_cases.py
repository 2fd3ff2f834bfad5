#!/usr/bin/python3
"""Generate data/isotonic.csv, the scikit-learn reference of
src/stats/isotonic.c (test/stats/t_isotonic.c):

    /usr/bin/python3 test/stats/gen_isotonic_cases.py test/stats/data

Needs Debian's python3-sklearn (1.2.1) for generation only; the CSV is
committed and the C test reads it without Python.  Deterministic (fixed
seed).  One row per case:

  isotonic.csv  scores,labels,fit_x,fit_y,probes,predicted
      IsotonicRegression(out_of_bounds='clip').fit(scores, labels):
      fit_x, fit_y = X_thresholds_, y_thresholds_ (after pooling ties and
      trimming flat interior points), predicted = .predict(probes).
      Cases: scores rounded to few distinct values (many ties), continuous
      scores, scores closer than 1e-15 (pooled by _make_unique's tolerance),
      a single distinct score, one class only, perfectly ordered and
      reversed labels, and probes outside the fitted range and at fitted
      points.  Lists inside a field are separated by ' ', written with
      repr() so that they round-trip through strtod.
"""
import csv
import os
import sys

import numpy as np
from sklearn.isotonic import IsotonicRegression


def fmt(values):
    return " ".join(repr(float(v)) for v in values)


def case(scores, labels, probes):
    scores = np.asarray(scores, dtype=float)
    labels = np.asarray(labels, dtype=bool)
    iso = IsotonicRegression(out_of_bounds="clip").fit(scores, labels)
    probes = np.asarray(probes, dtype=float)
    return (fmt(scores), " ".join("1" if v else "0" for v in labels),
            fmt(iso.X_thresholds_), fmt(iso.y_thresholds_), fmt(probes), fmt(iso.predict(probes)))


def rows(rng):
    out = []
    grid = [-0.5, 0.0, 0.05, 0.1, 0.25, 0.33, 0.5, 0.66, 0.75, 0.9, 0.99, 1.0, 1.5]
    for n in (5, 20, 100, 1000, 5000):
        s = rng.random(n)
        y = rng.random(n) < s
        out.append(case(s, y, np.concatenate([grid, rng.random(20), s[:10]])))
        r = np.round(s, 1)
        out.append(case(r, y, np.concatenate([grid, r[:10], rng.random(10)])))
        b = rng.beta(2, 5, n)
        yb = rng.random(n) < np.sqrt(b)
        out.append(case(b, yb, np.concatenate([grid, b[:10], rng.random(10)])))
    # scores closer than np.finfo(float64).resolution pool into one point
    tiny = [0.0, 5e-16, 9e-16, 1.1e-15, 2e-15, 0.3, 0.3 + 4e-16, 0.7, 1.0]
    out.append(case(tiny, [0, 1, 0, 1, 1, 0, 1, 1, 1], tiny + [0.5, 1e-15]))
    out.append(case([0.4] * 7, [1, 0, 1, 1, 0, 0, 1], grid))
    out.append(case([0.2, 0.4, 0.6], [1, 1, 1], grid))
    out.append(case([0.2, 0.4, 0.6], [0, 0, 0], grid))
    out.append(case(np.linspace(0, 1, 11), [0] * 5 + [1] * 6, grid))
    out.append(case(np.linspace(0, 1, 11), [1] * 6 + [0] * 5, grid))
    out.append(case([0.1, 0.1, 0.9], [1, 0, 1], [0.1, 0.5, 0.9, np.nextafter(0.1, 1)]))
    return out


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "data")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "isotonic.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(("scores", "labels", "fit_x", "fit_y", "probes", "predicted"))
        w.writerows(rows(np.random.default_rng(20261203)))


if __name__ == "__main__":
    main()
