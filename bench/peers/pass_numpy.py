"""The settlement-pass case in tuned numpy (bench/README.md).

usage: /usr/bin/python3 pass_numpy.py MODEL_DIR REGISTER.csv PASSES

The settlement of `mdtbench pass`: the 2023 kroner table (scale 1) plus 1.5 % for the
chapter-4 groups from 1 May, pay floored at the raised guarantee. The per-employee arrays
(old pay, weight x fte, 1 + percent, kroner amount, guarantee floor) are built once, outside
the timing, from lookups per (group, whole years); a timed pass is the vectorised formula
new = max(old (1 + p) + a, G') and S = sum w fte (new - old), into buffers allocated once.
Prints the annual effect S (13 - 5)/12 / W x 100 and the median time of PASSES passes after
a warm-up.
"""
import json
import sys
import time

import numpy as np

from settlement_numpy import Register, StepTable, guarantee_floor

PCT = 1.5
CENTRAL_MONTH = 5


def main():
    model, path, passes = sys.argv[1], sys.argv[2], int(sys.argv[3])
    t0 = time.perf_counter()
    reg = Register(model, path)
    load_s = time.perf_counter() - t0
    table = StepTable(f"{model}/increases_2023.csv", reg.groups)
    guarantee = StepTable(f"{model}/guarantee.csv", reg.groups)
    p = PCT / 100
    covered = [g for g in range(len(reg.groups)) if reg.covered(g)]
    old = np.concatenate([reg.old[reg.slice(g)] for g in covered])
    wfte = np.concatenate([reg.wfte[reg.slice(g)] for g in covered])
    one_p = np.full(len(old), 1 + p)
    a = np.concatenate([reg.per_cell(g, table.amount) for g in covered])
    floor = np.concatenate([reg.per_cell(g, lambda g, y: guarantee_floor(guarantee, table, g, y, p))
                            for g in covered])
    buf = np.empty_like(old)

    def one_pass():
        np.multiply(old, one_p, out=buf)
        np.add(buf, a, out=buf)
        np.maximum(buf, floor, out=buf)
        np.subtract(buf, old, out=buf)
        return float(wfte @ buf)

    one_pass()
    times = []
    for _ in range(passes):
        t = time.perf_counter()
        s = one_pass()
        times.append(time.perf_counter() - t)
    med = float(np.median(times))
    year = (13 - CENTRAL_MONTH) / 12
    print(json.dumps({"rows": reg.n, "annual_pct": s * year / reg.total_wage_bill * 100}))
    print(json.dumps({"load_s": load_s, "pass_s": med, "ns_per_employee": med / reg.n * 1e9,
                      "passes": passes}))


if __name__ == "__main__":
    main()
