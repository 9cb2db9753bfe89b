#!/usr/bin/env python3
"""Adds up the tables of a `mandat run` result folder, as an analyst would.

    check_totals.py RESULT_DIR

For every table with group rows and a total (or a scope's annual growth), the total must be
computed from the rows: percentages of the wage bill are the wage-bill-weighted mean of the
groups' (1e-9), amounts and head counts their sum (relative 1e-12), NOK per FTE the total rise
over the total FTE. The frame decomposition's components add up to its annual growth, which is
the settlement table's growth of the same groups; each sweep point's total growth is the
wage-bill-weighted mean of its groups' growth. Percentiles of individual rises do not combine
and are not checked.
"""
import csv
import os
import sys

TOL = 1e-9


def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def num(s):
    return float(s) if s not in ("", None) else None


def close(a, b, what, rel=False):
    tol = TOL * max(1.0, abs(b)) if rel else TOL
    if a is None or b is None or abs(a - b) > tol:
        raise SystemExit(f"FAIL: {what}: {a} != {b}")


def check_settlement(d):
    t = rows(os.path.join(d, "settlement.csv"))
    groups = [r for r in t if r["group"] != "total" and r["suppressed"] == "0"]
    total = next(r for r in t if r["group"] == "total")
    W = {r["group"]: num(r["wage_bill_nok"]) for r in groups}
    Wt = sum(W.values())
    close(num(total["wage_bill_nok"]), Wt, "settlement: wage bill", rel=True)
    for col in ("employees", "fte", "rise_nok", "cost_nok", "carryover_nok", "step_employees"):
        close(num(total[col]), sum(num(r[col]) for r in groups), f"settlement: {col}", rel=True)
    for col in ("rise_pct", "annual_effect_pct", "carryover_pct", "overheng_pct", "glidning_pct",
                "annual_growth_pct", "real_growth_pct", "step_effect_pct"):
        mean = sum(W[r["group"]] * num(r[col]) for r in groups) / Wt
        close(num(total[col]), mean, f"settlement: {col} (wage-bill-weighted mean)")
    close(num(total["area_effect_pct"]), sum(num(r["area_effect_pct"]) for r in groups),
          "settlement: area_effect_pct (sum)")
    close(num(total["nok_per_fte"]), num(total["rise_nok"]) / num(total["fte"]),
          "settlement: nok_per_fte", rel=True)
    # each group's growth is its parts
    for r in groups:
        close(num(r["annual_growth_pct"]),
              num(r["overheng_pct"]) + num(r["annual_effect_pct"]) + num(r["step_effect_pct"])
              + num(r["glidning_pct"]), f"settlement: {r['group']}'s growth from its parts")
    return groups, total, W


def check_frame(d, groups, total, W):
    t = rows(os.path.join(d, "frame.csv"))
    for scope in sorted({r["scope"] for r in t}):
        comp = {r["component"]: r for r in t if r["scope"] == scope}
        parts = ["overheng", "glidning", "step_moves", "central", "local_pot"] + [
            c for c in comp if c.startswith("named:") or c.startswith("local_frame:")]
        s = sum(num(comp[c]["annual_effect_pct"]) for c in parts)
        close(num(comp["annual_growth"]["annual_effect_pct"]), s, f"frame {scope}: sum of parts")
        members = groups if scope == "area" else [r for r in groups if r["covered"] == "1"]
        Ws = sum(W[r["group"]] for r in members)
        mean = sum(W[r["group"]] * num(r["annual_growth_pct"]) for r in members) / Ws
        close(num(comp["annual_growth"]["annual_effect_pct"]), mean,
              f"frame {scope}: annual growth = its groups' in settlement.csv")
        cmean = sum(W[r["group"]] * num(r["carryover_pct"]) for r in members) / Ws
        close(num(comp["annual_growth"]["carryover_pct"]), cmean,
              f"frame {scope}: carry-over = its groups' in settlement.csv")
        if scope == "area":
            close(num(comp["annual_growth"]["annual_effect_pct"]),
                  num(total["annual_growth_pct"]), "frame area = settlement total")


def check_sweeps(d, W):
    path = os.path.join(d, "sweep_summary.csv")
    if not os.path.exists(path):
        return 0
    summary = rows(path)
    n = 0
    for r in summary:
        names = {"theta": "sweep_theta", "krone_share": "sweep_krone_share",
                 "local_pot_pct": "sweep_local_pot", "central_month": "sweep_central_month"}
        f = os.path.join(d, names[r["setting"]] + ".csv")
        pts = [g for g in rows(f) if g["value"] == r["value"] and g["group"] in W
               and g["annual_growth_pct"] != ""]
        if not pts or r["total_growth_pct"] == "":
            continue
        Wt = sum(W[g["group"]] for g in pts)
        mean = sum(W[g["group"]] * num(g["annual_growth_pct"]) for g in pts) / Wt
        close(num(r["total_growth_pct"]), mean,
              f"sweep {r['setting']}={r['value']}: total = its groups' weighted mean")
        n += 1
    return n


def main():
    d = sys.argv[1]
    groups, total, W = check_settlement(d)
    check_frame(d, groups, total, W)
    n = check_sweeps(d, W)
    print(f"ok: {d}: settlement, frame and {n} sweep points add up")


if __name__ == "__main__":
    main()
