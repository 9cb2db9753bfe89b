"""The aggregate case in pandas, as an analyst would script it (bench/README.md).

usage: /usr/bin/python3 aggregate_pandas.py MODEL_DIR OUT.csv

Reads MODEL_DIR's respondents.csv, questions.csv, options.csv and answers.csv, weights the
members by employees post-stratified by region, and writes nationally and per region the
statistics bench/run compares with `mandat aggregate`: the mean of score questions, the
share_mean of share questions, the proportion of each choice option, and the Borda points,
top1_share and top3_share of each rank option, as scope,stratum,question,option,statistic,value.
"""
import sys

import numpy as np
import pandas as pd


def weights(resp, answered_rows):
    """Employees post-stratified by region: w_i = e_i T_h / S_h for members that answered,
    T_h the employees of every member of region h, S_h those of the members that answered."""
    e = resp["employees"].to_numpy(dtype=np.float64)
    region = resp["region_code"].to_numpy()
    answered = np.zeros(len(resp), dtype=bool)
    answered[answered_rows] = True
    nreg = int(region.max()) + 1
    total = np.bincount(region, weights=e, minlength=nreg)
    answering = np.bincount(region, weights=np.where(answered, e, 0.0), minlength=nreg)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = total / answering
    return np.where(answered, e * factor[region], 0.0)


def by_scope(df, keys, sums):
    """Sums of the columns in sums per keys, nationally (region 'all') and per region."""
    national = df.groupby(keys, observed=True)[sums].sum().reset_index()
    national.insert(0, "region", -1)
    regional = df.groupby(["region"] + keys, observed=True)[sums].sum().reset_index()
    return pd.concat([national, regional], ignore_index=True)


def main():
    model, out = sys.argv[1], sys.argv[2]
    questions = pd.read_csv(f"{model}/questions.csv", dtype=str, keep_default_na=False)
    options = pd.read_csv(f"{model}/options.csv", dtype=str, keep_default_na=False)
    resp = pd.read_csv(f"{model}/respondents.csv", usecols=["id", "region", "employees"],
                       dtype={"id": str, "region": str, "employees": np.float64},
                       keep_default_na=False)
    # The C engine: Debian ships no python3-pyarrow, so pandas' pyarrow engine is not there.
    answers = pd.read_csv(f"{model}/answers.csv", engine="c",
                          dtype={"respondent": "category", "question": "category",
                                 "option": "category", "value": np.float64})

    # Regions in byte order, as mandat lists the levels of a grouping column.
    levels = sorted(resp["region"].unique(), key=lambda s: s.encode())
    resp["region_code"] = pd.Categorical(resp["region"], categories=levels).codes.astype(np.int64)
    rows = pd.Index(resp["id"]).get_indexer(answers["respondent"].cat.categories)
    if (rows < 0).any():
        sys.exit("aggregate_pandas: an answer from an unknown respondent")
    member = rows[answers["respondent"].cat.codes.to_numpy()]
    w = weights(resp, np.unique(member))
    answers["w"] = w[member]
    answers["region"] = resp["region_code"].to_numpy()[member]
    answers.drop(columns="respondent", inplace=True)
    answers["member"] = member

    # Per question category, its type and number of options, then indexed by the codes: no
    # per-answer strings.
    qcats = answers["question"].cat.categories
    qtype = questions.set_index("id")["type"].reindex(qcats).to_numpy()
    noptions = options.groupby("question").size().reindex(qcats).to_numpy(dtype=np.float64)
    qcode = answers["question"].cat.codes.to_numpy()

    def of_type(kind):
        return answers[(qtype == kind)[qcode]]
    out_frames = []

    def emit(frame, statistic, column):
        f = frame[["region", "question", "option"]].copy()
        f["statistic"] = statistic
        f["value"] = frame[column].to_numpy()
        out_frames.append(f)

    # score and share: weighted means per option.
    for kind, statistic in (("score", "mean"), ("share", "share_mean")):
        df = of_type(kind).copy()
        df["wx"] = df["w"] * df["value"]
        s = by_scope(df, ["question", "option"], ["w", "wx"])
        s = s[s["w"] > 0]
        s["mean"] = s["wx"] / s["w"]
        emit(s, statistic, "mean")

    # Every option of a question, for each scope in which someone answered it.
    def grid(den):
        opts = options.rename(columns={"id": "option"})[["question", "option"]]
        den = den.copy()
        den["question"] = den["question"].astype(str)
        return den.merge(opts, on="question")

    def with_options(den, num, keys):
        g = grid(den)
        num = num.copy()
        num["question"] = num["question"].astype(str)
        num["option"] = num["option"].astype(str)
        return g.merge(num, on=keys, how="left").fillna(0.0)

    # choice: the share of those answering the question who chose the option.
    ch = of_type("choice").copy()
    pairs = ch.drop_duplicates(["member", "question"])
    den = by_scope(pairs, ["question"], ["w"]).rename(columns={"w": "den"})
    den = den[den["den"] > 0]
    ch["chosen"] = np.where(ch["value"] == 1, ch["w"], 0.0)
    num = by_scope(ch, ["question", "option"], ["chosen"])
    c = with_options(den, num, ["region", "question", "option"])
    c["proportion"] = c["chosen"] / c["den"]
    emit(c, "proportion", "proportion")

    # rank: given ranks are positions (no ties in these answers); the k options a member
    # ranked of n take positions 1..k, the others share the position k + 1 + (n - k - 1)/2.
    rk = of_type("rank").copy()
    rk["n"] = noptions[rk["question"].cat.codes.to_numpy()]
    rk["k"] = rk.groupby(["member", "question"], observed=True)["value"].transform("size")
    # (none when k = n: their points are then 0, so that a Borda score of 0 stays exactly 0)
    rk["upts"] = np.where(rk["k"] < rk["n"], rk["n"] - (rk["k"] + 1 + (rk["n"] - rk["k"] - 1) / 2),
                          0.0)
    pairs = rk.drop_duplicates(["member", "question"]).copy()
    pairs["wu"] = pairs["w"] * pairs["upts"]
    den = by_scope(pairs, ["question"], ["w", "wu"]).rename(columns={"w": "den", "wu": "U"})
    den = den[den["den"] > 0]
    rk["r1"] = rk["w"] * (rk["n"] - rk["value"])
    rk["r2"] = rk["w"] * rk["upts"]
    rk["t1"] = np.where(rk["value"] == 1, rk["w"], 0.0)
    rk["t3"] = np.where(rk["value"] <= 3, rk["w"], 0.0)
    num = by_scope(rk, ["question", "option"], ["r1", "r2", "t1", "t3"])
    r = with_options(den, num, ["region", "question", "option"])
    r["borda"] = (r["U"] - r["r2"] + r["r1"]) / r["den"]
    r["top1"] = r["t1"] / r["den"]
    r["top3"] = r["t3"] / r["den"]
    emit(r, "borda", "borda")
    emit(r, "top1_share", "top1")
    emit(r, "top3_share", "top3")

    res = pd.concat(out_frames, ignore_index=True)
    code = res["region"].to_numpy()
    res.insert(0, "scope", np.where(code < 0, "all", "region"))
    res.insert(1, "stratum", np.where(code < 0, "all",
                                      np.array(levels, dtype=object)[np.maximum(code, 0)]))
    res = res.drop(columns="region")
    with open(out, "w", encoding="utf-8") as fp:
        fp.write("scope,stratum,question,option,statistic,value\n")
        for row in res.itertuples(index=False):
            fp.write(f"{row.scope},{row.stratum},{row.question},{row.option},"
                     f"{row.statistic},{row.value!r}\n")


if __name__ == "__main__":
    main()
