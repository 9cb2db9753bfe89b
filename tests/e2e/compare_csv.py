#!/usr/bin/env python3
"""Compares two tidy CSV tables: the same rows and text columns, numbers equal to a relative
tolerance (default 1e-9), empty fields equal only to empty fields.

    compare_csv.py ACTUAL EXPECTED [--tolerance 1e-9] [--ignore COL,...]
"""
import argparse
import csv
import sys


def number(s):
    try:
        return float(s)
    except ValueError:
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("actual")
    ap.add_argument("expected")
    ap.add_argument("--tolerance", type=float, default=1e-9)
    ap.add_argument("--ignore", default="")
    a = ap.parse_args()
    ignore = set(filter(None, a.ignore.split(",")))
    with open(a.actual, newline="", encoding="utf-8") as f:
        actual = list(csv.reader(f))
    with open(a.expected, newline="", encoding="utf-8") as f:
        expected = list(csv.reader(f))
    problems = []
    if actual[0] != expected[0]:
        problems.append("header %s, expected %s" % (actual[0], expected[0]))
    if len(actual) != len(expected):
        problems.append("%d rows, expected %d" % (len(actual) - 1, len(expected) - 1))
    header = expected[0]
    for ln, (ra, re) in enumerate(zip(actual[1:], expected[1:]), start=2):
        for col, va, ve in zip(header, ra, re):
            if col in ignore or va == ve:
                continue
            na, ne = number(va), number(ve)
            if na is None or ne is None:
                problems.append("line %d %s: %r, expected %r" % (ln, col, va, ve))
            elif abs(na - ne) > a.tolerance * max(1.0, abs(ne)):
                problems.append("line %d %s: %r, expected %r" % (ln, col, va, ve))
    for p in problems[:20]:
        print(p, file=sys.stderr)
    if problems:
        print("%d differences" % len(problems), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
