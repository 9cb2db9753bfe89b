#!/usr/bin/env python3
"""Compares every CSV and JSON result file of two `mandat run` output folders: the same files,
the same rows, keys and text, and every number equal to a relative tolerance (default 1e-12):
|a - b| <= tol * max(|a|, |b|). A column that is the difference of two others in its row
(DIFFERENCES: region_allocations' difference_pp = pct - national_pct) is held to the same
tolerance relative to its operands, max(|a|, |b|, |operands|): its absolute error is theirs,
so a difference near 0 of two percents that agree to 1 unit in the last place (2e-16
relative) can differ by far more than 1e-12 of itself. Files that say when or how long
(manifest.json) are compared except for their timing fields. Prints the largest relative
difference; exits 1 on a mismatch.

    compare_runs.py DIR_A DIR_B [--tolerance 1e-12]
"""
import argparse
import csv
import json
import math
import os
import sys

# Fields that are not results: when the run happened and how long it took.
TIMING_KEYS = {"started", "finished", "elapsed_s", "seconds", "created", "duration_s", "time"}
# Columns (CSV header or JSON row key) that are the difference of two others in their row.
DIFFERENCES = {"difference_pp": ("pct", "national_pct")}


def number(s):
    if not isinstance(s, str):
        return None
    try:
        return float(s)
    except ValueError:
        return None


def row_operands(key, row_a, row_b):
    """The operands of a difference column in both rows, as numbers (none for other keys)."""
    out = []
    for k in DIFFERENCES.get(key, ()):
        for row in (row_a, row_b):
            v = row.get(k) if isinstance(row, dict) else None
            v = v if isinstance(v, (int, float)) and not isinstance(v, bool) else number(v)
            if v is not None:
                out.append(v)
    return out


class Comparison:
    def __init__(self, tol):
        self.tol, self.problems, self.worst, self.where, self.numbers = tol, [], 0.0, "", 0

    def values(self, where, a, b, operands=()):
        if a == b:
            if isinstance(a, (int, float)) or number(a) is not None:
                self.numbers += 1
            return
        x = a if isinstance(a, (int, float)) and not isinstance(a, bool) else number(a)
        y = b if isinstance(b, (int, float)) and not isinstance(b, bool) else number(b)
        if x is None or y is None:
            self.problems.append(f"{where}: {a!r} against {b!r}")
            return
        self.numbers += 1
        if math.isnan(x) and math.isnan(y):
            return
        scale = max([abs(x), abs(y)] + [abs(v) for v in operands if not math.isnan(v)])
        d = abs(x - y) / scale if scale > 0 else 0.0
        if math.isnan(d) or d > self.tol:
            self.problems.append(f"{where}: {a!r} against {b!r} ({d:.3g} relative)")
        if d > self.worst:
            self.worst, self.where = d, where

    def json(self, where, a, b, operands=()):
        if isinstance(a, dict) and isinstance(b, dict):
            if set(a) != set(b):
                self.problems.append(f"{where}: keys {sorted(set(a) ^ set(b))} in one only")
            for k in sorted(set(a) & set(b)):
                if k not in TIMING_KEYS:
                    self.json(f"{where}.{k}", a[k], b[k], row_operands(k, a, b))
        elif isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                self.problems.append(f"{where}: {len(a)} items against {len(b)}")
            for k, (x, y) in enumerate(zip(a, b)):
                self.json(f"{where}[{k}]", x, y)
        else:
            self.values(where, a, b, operands)

    def csv(self, name, pa, pb):
        with open(pa, newline="", encoding="utf-8") as f:
            ra = list(csv.reader(f))
        with open(pb, newline="", encoding="utf-8") as f:
            rb = list(csv.reader(f))
        if len(ra) != len(rb):
            self.problems.append(f"{name}: {len(ra)} rows against {len(rb)}")
        for ln, (x, y) in enumerate(zip(ra, rb), start=1):
            if len(x) != len(y):
                self.problems.append(f"{name}:{ln}: {len(x)} fields against {len(y)}")
            for col, (u, v) in enumerate(zip(x, y), start=1):
                head = ra[0][col - 1] if col - 1 < len(ra[0]) else ""
                row_a = dict(zip(ra[0], x)) if ln > 1 else {}
                row_b = dict(zip(ra[0], y)) if ln > 1 else {}
                self.values(f"{name}:{ln}:{col}", u, v, row_operands(head, row_a, row_b))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--tolerance", type=float, default=1e-12)
    o = ap.parse_args()
    files = lambda d: sorted(f for f in os.listdir(d) if f.endswith((".csv", ".json")))
    fa, fb = files(o.a), files(o.b)
    c = Comparison(o.tolerance)
    if fa != fb or not fa:
        c.problems.append(f"files {sorted(set(fa) ^ set(fb)) or 'none'} in one folder only")
    for name in sorted(set(fa) & set(fb)):
        pa, pb = os.path.join(o.a, name), os.path.join(o.b, name)
        if name.endswith(".csv"):
            c.csv(name, pa, pb)
        else:
            with open(pa, encoding="utf-8") as f:
                ja = json.load(f)
            with open(pb, encoding="utf-8") as f:
                jb = json.load(f)
            c.json(name, ja, jb)
    print(f"{len(fa)} files, {c.numbers} numbers; largest relative difference {c.worst:.3g}"
          + (f" ({c.where})" if c.where else ""))
    for p in c.problems[:20]:
        print(f"MISMATCH {p}")
    return 1 if c.problems else 0


if __name__ == "__main__":
    sys.exit(main())
