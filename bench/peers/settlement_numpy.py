"""What pass_numpy.py and solve_numpy.py share: the register as numpy columns and the step
tables looked up once per (group, whole years of seniority), as mandat's microsim does per cell.
"""
import math

import numpy as np
import pandas as pd

MAX_YEARS = 100  # mandat/microsim.h: MDT_MICROSIM_MAX_STEP_YEARS


class StepTable:
    """group, step_years, annual_nok: the amount at the highest step not above the years."""

    def __init__(self, path, groups):
        t = pd.read_csv(path, dtype={"group": str}, keep_default_na=False)
        self.steps = {g: [] for g in range(len(groups))}
        index = {gid: k for k, gid in enumerate(groups)}
        for gid, years, nok in zip(t["group"], t["step_years"], t["annual_nok"]):
            self.steps[index[gid]].append((float(years), float(nok)))
        for s in self.steps.values():
            s.sort()

    def step(self, g, years):
        """(step years, amount) of the highest step not above years, or None."""
        best = None
        for y, nok in self.steps[g]:
            if y <= years:
                best = (y, nok)
        return best

    def amount(self, g, years):
        s = self.step(g, years)
        return 0.0 if s is None else s[1]


class Register:
    """The register's employees sorted by group: old pay, weight x fte (in units of 1e-8, as
    mandat's wfte_e8) and whole years of seniority, with each group's slice."""

    def __init__(self, model, path):
        g = pd.read_csv(f"{model}/groups.csv", dtype=str, keep_default_na=False)
        self.groups = g["id"].tolist()
        self.chapter = g["chapter"].tolist()
        header = open(path, encoding="utf-8").readline().strip().split(",")
        cols = ["group", "seniority_years", "fte", "annual_salary"]
        if "weight" in header:
            cols.append("weight")
        reg = pd.read_csv(path, usecols=cols,
                          dtype={"group": "category", "seniority_years": np.float64,
                                 "fte": np.float64, "annual_salary": np.float64,
                                 "weight": np.float64})
        rows = pd.Index(self.groups).get_indexer(reg["group"].cat.categories)
        group = rows[reg["group"].cat.codes.to_numpy()]
        weight_e4 = (np.rint(reg["weight"].to_numpy() * 1e4) if "weight" in cols
                     else np.full(len(reg), 1e4))
        wfte = weight_e4 * np.rint(reg["fte"].to_numpy() * 1e4)
        years = np.minimum(np.floor(reg["seniority_years"].to_numpy()), MAX_YEARS).astype(np.int64)
        order = np.argsort(group, kind="stable")
        self.n = len(reg)
        self.group = group[order]
        self.old = reg["annual_salary"].to_numpy()[order].copy()
        self.wfte = wfte[order]
        self.years = years[order]
        self.bounds = np.searchsorted(self.group, np.arange(len(self.groups) + 1))
        self.wage_bill = np.array([self.wfte[a:b] @ self.old[a:b]
                                   for a, b in zip(self.bounds[:-1], self.bounds[1:])])
        self.total_wage_bill = float(self.wage_bill.sum())

    def covered(self, g):
        return self.chapter[g] == "4"

    def slice(self, g):
        return slice(self.bounds[g], self.bounds[g + 1])

    def per_cell(self, g, fn):
        """fn(g, years) for every employee of group g, evaluated once per whole year."""
        s = self.slice(g)
        cells = np.array([fn(g, y) for y in range(MAX_YEARS + 1)], dtype=np.float64)
        return cells[self.years[s]]


def guarantee_floor(guarantee, table, g, years, p):
    """The guarantee cell at years raised as an employee paid exactly it would be: by p and the
    kroner table at that cell's step years (mandat/microsim.h); -inf without a cell."""
    s = guarantee.step(g, years)
    if s is None:
        return -math.inf
    step_years, nok = s
    return nok + p * nok + (table.amount(g, step_years) if table is not None else 0.0)
