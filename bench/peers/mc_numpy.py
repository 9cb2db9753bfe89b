"""The Monte Carlo case in numpy, drawing mandat's own random numbers (bench/README.md).

usage: /usr/bin/python3 mc_numpy.py INPUTS.json REPS

INPUTS.json is what `mdtbench mc --inputs-out` writes: the options and the settlement's
per-group rows (wage bill, annual effect, overheng, glidning). mandat/uncertainty.h fixes the
random numbers: draws in chunks of 4096, chunk c from a GSL mt19937 seeded with
mix64(seed * 0x100000001b3 + c) (GSL keeps the low 32 bits; 0 becomes 4357), uniforms
genrand_int32 / 2^32, and per draw overheng, glidning, price, then each group's drift, each
normal one from two uniforms u1 (not 0: gsl_rng_uniform_pos draws again) and u2 by
Box-Muller. numpy's legacy RandomState seeded with the same 32 bits gives the same
genrand_int32 sequence. Each chunk is vectorised; a chunk where some u1 is 0 is drawn one
number at a time. Prints P(growth > frame), the quantiles (GSL's definition) and each group's
P(real fall) and quantiles, and the median time of REPS runs after a warm-up.
"""
import json
import math
import sys
import time

import numpy as np

CHUNK = 4096
MASK64 = (1 << 64) - 1
LEVELS = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]


def mix64(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def chunk_seed(seed, chunk):
    s = mix64((seed * 0x100000001B3 + chunk) & MASK64)
    return 4357 if s == 0 else s & 0xFFFFFFFF


def quantile_sorted(v, f):
    """gsl_stats_quantile_from_sorted_data."""
    index = f * (len(v) - 1)
    lhs = int(math.floor(index))
    delta = index - lhs
    if lhs == len(v) - 1:
        return float(v[lhs])
    return float((1 - delta) * v[lhs] + delta * v[lhs + 1])


def uniforms_scalar(rs, nd, k):
    """nd x k pairs (u1, u2) drawn one at a time, as GSL does (u1 skips zeros)."""
    u1 = np.empty((nd, k))
    u2 = np.empty((nd, k))
    for d in range(nd):
        for j in range(k):
            x = 0
            while x == 0:
                x = int(rs.randint(0, 2**32, dtype=np.uint32))
            u1[d, j] = x / 4294967296.0
            u2[d, j] = int(rs.randint(0, 2**32, dtype=np.uint32)) / 4294967296.0
    return u1, u2


def run(inp):
    N, seed = inp["draws"], inp["seed"]
    groups = inp["groups"]
    G = len(groups)
    wage = np.array([g["wage_bill_nok"] for g in groups])
    eff = np.array([g["annual_effect_pct"] for g in groups])
    g_over = np.array([g["overheng_pct"] for g in groups])
    g_glid = np.array([g["glidning_pct"] for g in groups])
    dists = [inp["overheng"], inp["glidning"], inp["price"]] + [inp["drift"]] * G
    normal = [sd > 0 for _, sd in dists]
    k = sum(normal)
    growth = np.empty(N)
    ggrowth = np.empty((N, G))
    fall = np.empty((N, G), dtype=bool)
    for c in range((N + CHUNK - 1) // CHUNK):
        first = c * CHUNK
        nd = min(CHUNK, N - first)
        rs = np.random.RandomState(chunk_seed(seed, c))
        raw = rs.randint(0, 2**32, size=2 * k * nd, dtype=np.uint32).reshape(nd, k, 2)
        if (raw[:, :, 0] == 0).any():
            u1, u2 = uniforms_scalar(np.random.RandomState(chunk_seed(seed, c)), nd, k)
        else:
            u1 = raw[:, :, 0] / 4294967296.0
            u2 = raw[:, :, 1] / 4294967296.0
        z = np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * math.pi * u2)
        vals = np.empty((nd, len(dists)))
        j = 0
        for q, (mean, sd) in enumerate(dists):
            if normal[q]:
                vals[:, q] = mean + sd * z[:, j]
                j += 1
            else:
                vals[:, q] = mean
        ov, gl, pr = vals[:, 0], vals[:, 1], vals[:, 2]
        num = np.zeros(nd)
        den = np.zeros(nd)
        for g in range(G):
            W = np.maximum(wage[g] * (1 + vals[:, 3 + g] / 100), 0.0)
            if math.isfinite(eff[g]):
                num += W * eff[g]
                den += W
        e = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
        growth[first:first + nd] = ov + e + gl
        gg = ((g_over[None, :] + ov[:, None] - inp["overheng"][0]) + eff[None, :]
              + (g_glid[None, :] + gl[:, None] - inp["glidning"][0]))
        ggrowth[first:first + nd] = gg
        fall[first:first + nd] = np.isfinite(gg) & (gg < pr[:, None])
    s = np.sort(growth)
    res = {"draws": N, "p_above_frame": int((growth > inp["frame_pct"]).sum()) / N,
           "mean_growth_pct": float(growth.mean()),
           "sd_growth_pct": float(growth.std(ddof=1)) if N > 1 else 0.0,
           "quantiles": [quantile_sorted(s, f) for f in LEVELS],
           "p_real_fall": [int(fall[:, g].sum()) / N for g in range(G)]}
    for name, f in (("group_q05", 0.05), ("group_q50", 0.5), ("group_q95", 0.95)):
        res[name] = [quantile_sorted(np.sort(ggrowth[:, g]), f) for g in range(G)]
    return res


def main():
    inp = json.load(open(sys.argv[1], encoding="utf-8"))
    reps = int(sys.argv[2])
    run(inp)
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        res = run(inp)
        times.append(time.perf_counter() - t)
    print(json.dumps(res))
    print(json.dumps({"mc_s": float(np.median(times)), "reps": reps}))


if __name__ == "__main__":
    main()
