"""The solve case in numpy (bench/README.md).

usage: /usr/bin/python3 solve_numpy.py MODEL_DIR REGISTER.csv REPS

The problem of `mdtbench solve`: the priority rule p_g = clamp(p0 (1 + theta z_g), 2 %, 6 %)
for the chapter-4 groups, z the fixed profile standardised with wage-bill weights, on a base
of the guarantee (each cell raised by the group's percent), a local pot of 1.1 % from
1 October for the chapter-4 groups and 4.1 % for c34 from 1 May; p0 such that the annual
effect is 2.5 pp. Each evaluation is a vectorised pass per group over columns sorted by group;
p0 is found by Brent's method on a bracket grown from 1 %, to 1e-13 in p0. Prints p0 and the
median time of REPS solves after a warm-up.
"""
import json
import math
import sys
import time

import numpy as np

from settlement_numpy import Register, StepTable, guarantee_floor

THETA, ROOM, FLOOR, CAP = 0.5, 2.5, 2.0, 6.0
CENTRAL_MONTH, LOCAL_PCT, LOCAL_MONTH = 5, 1.1, 10
NAMED = ("c34", 4.1, 5)
PROFILE = {"g1": 0.31, "g2": 0.52, "g3": 0.47, "g4": 0.64,
           "g5": 0.62, "g6": 0.55, "g7": 0.75, "g8": 0.58}
XTOL = 1e-13


def brent(f, a, b, fa, fb, xtol):
    """Brent's root finder (zeroin) on [a, b] with f(a), f(b) of opposite signs."""
    c, fc, d, e = a, fa, b - a, b - a
    while True:
        if (fb > 0) == (fc > 0):
            c, fc, d, e = a, fa, b - a, b - a
        if abs(fc) < abs(fb):
            a, b, c, fa, fb, fc = b, c, b, fb, fc, fb
        tol = 2 * 2.220446049250313e-16 * abs(b) + 0.5 * xtol
        m = 0.5 * (c - b)
        if abs(m) <= tol or fb == 0:
            return b
        if abs(e) >= tol and abs(fa) > abs(fb):
            s = fb / fa
            if a == c:
                p, q = 2 * m * s, 1 - s
            else:
                q, r = fa / fc, fb / fc
                p = s * (2 * m * q * (q - r) - (b - a) * (r - 1))
                q = (q - 1) * (r - 1) * (s - 1)
            if p > 0:
                q = -q
            else:
                p = -p
            if 2 * p < min(3 * m * q - abs(tol * q), abs(e * q)):
                e, d = d, p / q
            else:
                d = e = m
        else:
            d = e = m
        a, fa = b, fb
        b += d if abs(d) > tol else (tol if m > 0 else -tol)
        fb = f(b)


def main():
    model, path, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
    t0 = time.perf_counter()
    reg = Register(model, path)
    load_s = time.perf_counter() - t0
    guarantee = StepTable(f"{model}/guarantee.csv", reg.groups)
    G = len(reg.groups)
    covered = [g for g in range(G) if reg.covered(g)]
    W = reg.wage_bill
    prof = {reg.groups.index(k): v for k, v in PROFILE.items()}
    sw = sum(W[g] for g in covered if g in prof)
    mean = sum(W[g] * prof[g] for g in covered if g in prof) / sw
    sd = math.sqrt(sum(W[g] * (prof[g] - mean) ** 2 for g in covered if g in prof) / sw)
    mult = {g: 1 + THETA * ((prof[g] - mean) / sd if g in prof else 0.0) for g in covered}
    # Per group: old pay, weight x fte, the guarantee cell (0 without one: never a floor).
    cols = {}
    for g in covered:
        s = reg.slice(g)
        gar = reg.per_cell(g, lambda g, y: guarantee_floor(guarantee, None, g, y, 0.0))
        gar[np.isinf(gar)] = 0.0
        cols[g] = (reg.old[s], reg.wfte[s], gar, np.empty(s.stop - s.start),
                   np.empty(s.stop - s.start))
    year = (13 - CENTRAL_MONTH) / 12
    local_year = LOCAL_PCT / 100 * (13 - LOCAL_MONTH) / 12
    named_g = reg.groups.index(NAMED[0])
    named_year = NAMED[1] / 100 * (13 - NAMED[2]) / 12
    passes = [0]

    def effect(x):
        passes[0] += 1
        total = 0.0
        for g in range(G):
            S = 0.0
            if g in cols:
                old, wfte, gar, buf, lift = cols[g]
                p = min(max(x * mult[g], FLOOR), CAP) / 100
                np.multiply(old, p, out=buf)
                np.multiply(gar, 1 + p, out=lift)
                np.subtract(lift, old, out=lift)
                np.maximum(buf, lift, out=buf)
                S = float(wfte @ buf)
            level = W[g]  # percent elements are on the pay before the settlement
            total += S * year
            if g in cols:
                total += level * local_year
            if g == named_g:
                total += level * named_year
        return total / reg.total_wage_bill * 100

    def solve():
        passes[0] = 0
        f = lambda x: effect(x) - ROOM
        lo, flo = 0.0, f(0.0)
        hi = 1.0
        fhi = f(hi)
        while fhi < 0:
            lo, flo, hi = hi, fhi, 2 * hi
            fhi = f(hi)
        return brent(f, lo, hi, flo, fhi, XTOL)

    solve()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        p0 = solve()
        times.append(time.perf_counter() - t)
    print(json.dumps({"rows": reg.n, "p0_pct": p0, "annual_pct": effect(p0)}))
    print(json.dumps({"load_s": load_s, "solve_s": float(np.median(times)),
                      "passes": passes[0] - 1, "reps": reps}))


if __name__ == "__main__":
    main()
