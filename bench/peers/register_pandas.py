"""The register-load case in pandas (bench/README.md).

usage: /usr/bin/python3 register_pandas.py MODEL_DIR REGISTER.csv

Times read_csv of the register into typed columns (the id column is read but, as in mandat,
not kept), then prints the checksums `mdtbench register-load` prints, as exact integers: fte
and weight are held in units of 1/10 000 as mandat holds them.
"""
import json
import sys
import time

import numpy as np
import pandas as pd


def exact_sum(x):
    """The sum of int64 values as a Python int, without overflow: high and low 32 bits apart."""
    return (int((x >> 32).sum()) << 32) + int((x & 0xFFFFFFFF).sum())


def main():
    model, path = sys.argv[1], sys.argv[2]
    groups = pd.read_csv(f"{model}/groups.csv", dtype=str, keep_default_na=False)["id"].tolist()
    members = pd.read_csv(f"{model}/respondents.csv", usecols=["id"], dtype=str,
                          keep_default_na=False)["id"]
    header = open(path, encoding="utf-8").readline().strip().split(",")
    has_weight = "weight" in header
    dtypes = {"respondent": "category", "group": "category", "seniority_years": np.float64,
              "fte": np.float64, "annual_salary": np.int64, "weight": np.float64}
    cols = [c for c in header if c != "id"]
    t0 = time.perf_counter()
    reg = pd.read_csv(path, usecols=cols, dtype={c: dtypes[c] for c in cols})
    load_s = time.perf_counter() - t0

    n = len(reg)
    weight_e4 = (np.rint(reg["weight"].to_numpy() * 1e4).astype(np.int64) if has_weight
                 else np.full(n, 10000, dtype=np.int64))
    fte_e4 = np.rint(reg["fte"].to_numpy() * 1e4).astype(np.int64)
    salary = reg["annual_salary"].to_numpy()
    member_row = pd.Index(members).get_indexer(reg["respondent"].cat.categories)
    group_row = pd.Index(groups).get_indexer(reg["group"].cat.categories)
    if (member_row < 0).any() or (group_row < 0).any():
        sys.exit("register_pandas: an unknown respondent or group")
    member = member_row[reg["respondent"].cat.codes.to_numpy()]
    group = group_row[reg["group"].cat.codes.to_numpy()]
    wfte = weight_e4 * fte_e4
    out = {"rows": n, "weight_e4": int(weight_e4.sum()),
           "respondent_row_sum": int(member.sum()),
           "seniority_sum": float(reg["seniority_years"].sum()), "groups": []}
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(len(groups) + 1))
    for g, gid in enumerate(groups):
        idx = order[bounds[g]:bounds[g + 1]]
        out["groups"].append({"group": gid, "rows": int(len(idx)),
                              "wfte_e8": str(int(wfte[idx].sum())),
                              "wage_bill_e8": str(exact_sum(wfte[idx] * salary[idx]))})
    print(json.dumps(out))
    print(json.dumps({"load_s": load_s}))


if __name__ == "__main__":
    main()
