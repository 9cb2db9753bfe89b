#!/usr/bin/env python3
"""An independent reference for `mandat aggregate`, written from the weighting and aggregation rules in README.md and mandat/aggregate.h and the
definitions in include/mandat/aggregate.h, in plain Python and one respondent at a time.

It shares no code with the C engine (which folds answers into sums per weighting cell), so
agreement between the two to 1e-9 is a real check. It covers what the end-to-end test uses:
a size measure, optional post-stratification on one column, a breakdown column, optional
by-group weighting, no bootstrap.

    reference_aggregate.py MODEL_DIR --weights employees [--poststrata COL] [--by COL]
                           [--by-group] > expected.csv
"""
import argparse
import csv
import math
import os
import sys


def read(model, name):
    with open(os.path.join(model, name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def fmt(v):
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return ""
    return "%.15g" % (0.0 if v == 0 else v)


def weighted_quantile(pairs, p):
    """pairs: (value, weight) sorted by value; smallest value whose cumulative weight reaches
    p*W, the mean of it and the next when reached exactly."""
    pairs = [(v, w) for v, w in pairs if w > 0]
    W = sum(w for _, w in pairs)
    if W <= 0:
        return None
    target, cum = p * W, 0.0
    for k, (v, w) in enumerate(pairs):
        cum += w
        if abs(cum - target) <= 1e-12 * W:
            return (v + pairs[k + 1][0]) / 2 if k + 1 < len(pairs) else v
        if cum > target:
            return v
    return pairs[-1][0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--weights", default="employees")
    ap.add_argument("--poststrata")
    ap.add_argument("--by")
    ap.add_argument("--by-group", action="store_true")
    args = ap.parse_args()

    members = read(args.model, "respondents.csv")
    groups = read(args.model, "groups.csv")
    questions = read(args.model, "questions.csv")
    options = read(args.model, "options.csv")
    answers = read(args.model, "answers.csv")
    group_ids = [g["id"] for g in groups]

    size = {}
    for m in members:
        size[m["id"]] = 1.0 if args.weights == "equal" else float(m[args.weights])
    answered = {a["respondent"] for a in answers}

    # Weights: the size of each member that answered, post-stratified if asked.
    w = {mid: (size[mid] if mid in answered else 0.0) for mid in size}
    if args.poststrata:
        col = args.poststrata
        levels = {m[col] for m in members}
        for lev in levels:
            target = sum(size[m["id"]] for m in members if m[col] == lev)
            got = sum(w[m["id"]] for m in members if m[col] == lev)
            for m in members:
                if m[col] == lev and got > 0:
                    w[m["id"]] *= target / got

    headcount = {}
    if args.by_group:
        for h in read(args.model, "headcounts.csv"):
            headcount[(h["respondent"], h["group"])] = float(h["headcount"])

    def option_weight(mid, opt):
        g = opt.get("group", "")
        if args.by_group and g:
            return w[mid] * headcount.get((mid, g), 0.0)
        return w[mid]

    # Options per question in file order; answers per (respondent, question).
    opts_of = {q["id"]: [o for o in options if o["question"] == q["id"]] for q in questions}
    value = {}
    for a in answers:
        value[(a["respondent"], a["question"], a["option"])] = float(a["value"])

    scopes = [("all", "all", None)]
    if args.by:
        for lev in sorted({m[args.by] for m in members}, key=lambda s: s.encode("utf-8")):
            scopes.append((args.by, lev, lev))

    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["scope", "stratum", "question", "option", "statistic", "value", "ci_low",
                  "ci_high", "n", "n_eff"])

    def row(scope, stratum, q, o, stat, v, n, neff):
        out.writerow([scope, stratum, q, o, stat, fmt(v), "", "", "%d" % n, fmt(neff)])

    def kish(ws):
        s, s2 = sum(ws), sum(x * x for x in ws)
        return s * s / s2 if s2 > 0 else None

    for scope, stratum, lev in scopes:
        in_scope = [m["id"] for m in members if lev is None or m[args.by] == lev]
        prof_parts = {g: [] for g in group_ids}
        prof_n = {g: (0, None) for g in group_ids}
        for q in questions:
            qid, qtype, qopts = q["id"], q["type"], opts_of[q["id"]]
            k = len(qopts)
            lo = float(q["min"]) if q.get("min") else (1.0 if qtype == "score" else 0.0)
            hi = float(q["max"]) if q.get("max") else (5.0 if qtype == "score" else 100.0)
            if qtype == "rank":
                resp = [mid for mid in in_scope
                        if any((mid, qid, o["id"]) in value for o in qopts)]
                pos, tie = {}, {}
                for mid in resp:
                    given = {o["id"]: value.get((mid, qid, o["id"])) for o in qopts}
                    ranked = sorted({v for v in given.values() if v is not None})
                    start, T = 1, 0.0
                    p = {}
                    for v in ranked:
                        ids = [oid for oid, g in given.items() if g == v]
                        t = len(ids)
                        for oid in ids:
                            p[oid] = start + (t - 1) / 2
                        start += t
                        T += t ** 3 - t
                    un = [oid for oid, g in given.items() if g is None]
                    for oid in un:
                        p[oid] = start + (len(un) - 1) / 2
                    T += len(un) ** 3 - len(un)
                    pos[mid], tie[mid] = p, T
                for o in qopts:
                    ws = [option_weight(mid, o) for mid in resp]
                    W = sum(ws)
                    pts = [k - pos[mid][o["id"]] for mid in resp]
                    g1 = [1.0 if value.get((mid, qid, o["id"])) == 1 else 0.0 for mid in resp]
                    g3 = [1.0 if (value.get((mid, qid, o["id"])) or 99) <= 3 else 0.0
                          for mid in resp]
                    borda = sum(a * b for a, b in zip(ws, pts)) / W if W > 0 else None
                    row(scope, stratum, qid, o["id"], "borda", borda, len(resp), kish(ws))
                    row(scope, stratum, qid, o["id"], "top1_share",
                        sum(a * b for a, b in zip(ws, g1)) / W if W > 0 else None,
                        len(resp), kish(ws))
                    row(scope, stratum, qid, o["id"], "top3_share",
                        sum(a * b for a, b in zip(ws, g3)) / W if W > 0 else None,
                        len(resp), kish(ws))
                    if q.get("role") == "priority" and o.get("group") and borda is not None:
                        prof_parts[o["group"]].append(borda / (k - 1))
                    if q.get("role") == "priority" and o.get("group") and len(resp) > prof_n[o["group"]][0]:
                        prof_n[o["group"]] = (len(resp), kish(ws))
                # Kendall's W with respondent weights and tie correction.
                wr = [w[mid] for mid in resp]
                m = sum(wr)
                if m > 0:
                    R = [sum(w[mid] * pos[mid][o["id"]] for mid in resp) for o in qopts]
                    mean = m * (k + 1) / 2
                    S = sum((r - mean) ** 2 for r in R)
                    den = m * m * (k ** 3 - k) - m * sum(w[mid] * tie[mid] for mid in resp)
                    W_ = 12 * S / den if den > 0 else None
                else:
                    W_ = None
                row(scope, stratum, qid, "", "kendall_w", W_, len(resp), kish(wr))
            elif qtype in ("score", "share"):
                for o in qopts:
                    resp = [mid for mid in in_scope if (mid, qid, o["id"]) in value]
                    ws = [option_weight(mid, o) for mid in resp]
                    xs = [value[(mid, qid, o["id"])] for mid in resp]
                    W = sum(ws)
                    mean = sum(a * b for a, b in zip(ws, xs)) / W if W > 0 else None
                    if qtype == "score":
                        row(scope, stratum, qid, o["id"], "mean", mean, len(resp), kish(ws))
                        sd = None
                        if W > 0:
                            W2 = sum(a * a for a in ws)
                            ss = sum(a * (x - mean) ** 2 for a, x in zip(ws, xs))
                            if W * W - W2 > 0:
                                sd = math.sqrt(ss * W / (W * W - W2))
                        row(scope, stratum, qid, o["id"], "sd", sd, len(resp), kish(ws))
                        if q.get("role") == "priority" and o.get("group") and mean is not None:
                            prof_parts[o["group"]].append((mean - lo) / (hi - lo))
                        if q.get("role") == "priority" and o.get("group") and len(resp) > prof_n[o["group"]][0]:
                            prof_n[o["group"]] = (len(resp), kish(ws))
                    else:
                        pairs = sorted(zip(xs, ws))
                        row(scope, stratum, qid, o["id"], "share_mean", mean, len(resp), kish(ws))
                        for stat, p in (("share_median", 0.5), ("share_q1", 0.25),
                                        ("share_q3", 0.75)):
                            row(scope, stratum, qid, o["id"], stat, weighted_quantile(pairs, p),
                                len(resp), kish(ws))
            elif qtype == "choice":
                resp = [mid for mid in in_scope
                        if any((mid, qid, o["id"]) in value for o in qopts)]
                for o in qopts:
                    ws = [option_weight(mid, o) for mid in resp]
                    W = sum(ws)
                    chosen = sum(option_weight(mid, o) for mid in resp
                                 if value.get((mid, qid, o["id"])) == 1)
                    row(scope, stratum, qid, o["id"], "proportion",
                        chosen / W if W > 0 else None, len(resp), kish(ws))
        for g in group_ids:
            parts = prof_parts[g]
            named = any(q.get("role") == "priority" and o.get("group") == g
                        for q in questions for o in opts_of[q["id"]])
            if not named:
                continue
            n, ne = prof_n[g]
            row(scope, stratum, "profile", g, "priority",
                sum(parts) / len(parts) if parts else None, n, ne)


if __name__ == "__main__":
    main()
