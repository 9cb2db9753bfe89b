#!/usr/bin/env python3
"""Build the static tables of the ks-2024 model from the public sources in this folder.

Run from anywhere:  python3 models/ks-2024/sources/build_model.py

Reads only the CSV files next to this script (copies of public data; see README.md here) and
writes into the folder above it:

  respondents.csv   the 370 members of the KS tariff area (356 kommuner, 14 fylkeskommuner)
  groups.csv        the eight chapter-4 pay groups plus chapters 3.4 and 5
  questions.csv     a questionnaire like KS's Debatthefte
  options.csv       its answer options
  guarantee.csv     the guarantee pay (garantilønn) valid from 1 May 2023
  increases_2023.csv  the 2023 settlement's kroner table, copied unchanged
  text_answers.csv  SYNTHETIC free-text answers, and respondents.csv's SYNTHETIC adopted
                    column, both drawn from who answered in ../answers.csv (see
                    synthetic_regional below); run this again after `mandat generate answers`

Python 3 standard library only. Deterministic: exact arithmetic (fractions, decimal) and fixed
orders, so two runs give byte-identical files on any machine. Every consistency check of the
sources stops the build with an error rather than writing a wrong table.

Published figures are used as they are. Where the model needs a figure that is not published
(employees per member, the split of chapter 4 over its pay groups), it is an ESTIMATE made from
the assumption parameters below; ../README.md states them.
"""

import csv
import io
import os
import sys
from decimal import Decimal, getcontext
from fractions import Fraction

# ---------------------------------------------------------------------------------------------
# Assumption parameters (NOT published figures; change them here and rebuild)
# ---------------------------------------------------------------------------------------------

# Share of the KS area's employees (460 400 on 1 Dec 2023) who work in the 14 fylkeskommuner;
# the rest work in the 356 kommuner. Our assumption, a round figure.
FYLKESKOMMUNE_EMPLOYEE_SHARE = Fraction("0.075")

# Within each kind, a member's share of that kind's employees is proportional to
# population ** beta. beta < 1 gives small members more employees per inhabitant than large
# ones (small kommuner run the same services with fewer economies of scale). Our assumption.
BETA_KOMMUNE = Decimal("0.9")
BETA_FYLKESKOMMUNE = Decimal("1.0")

# Chapter 4 (400 400 employees, 326 000 FTE on 1 Dec 2023) split over its eight pay groups.
# HEADCOUNT_SHARE_PCT: percent of chapter-4 employees in each group (sums to 100).
# FTE_PER_EMPLOYEE_REL: average position size of the group relative to the others; the
# group's FTE = headcount x this x one common factor that makes chapter 4's FTE 326 000.
# Our assumptions: more part-time work where no education is required, less with education.
CH4_GROUP_ASSUMPTIONS = [
    # group, headcount share (%), relative FTE per employee
    ("g1", "24", "0.70"),
    ("g2", "27", "0.78"),
    ("g3", "4", "0.85"),
    ("g4", "24", "0.88"),
    ("g5", "8", "0.92"),
    ("g6", "4", "0.93"),
    ("g7", "7", "0.94"),
    ("g8", "2", "0.95"),
]
# Mean salary of each chapter-4 group = the group's guarantee pay at 0 years (valid from
# 1 May 2023) x one common factor, chosen so that the FTE-weighted mean over g1..g8 equals
# chapter 4's published mean (584 800 on 1 Dec 2023). No further parameter.

# Population bands for size_class (model bands, not SSB's KOSTRA groups). The number prefix
# makes the labels sort in size order.
SIZE_BANDS = [  # (lowest population in the band, label)
    (0, "1 under 5000"),
    (5000, "2 5000-19999"),
    (20000, "3 20000-49999"),
    (50000, "4 50000+"),
]
SIZE_CLASS_FYLKESKOMMUNE = "5 fylkeskommune"

# ---------------------------------------------------------------------------------------------
# Fixed by the sources and the model's definition (not assumptions)
# ---------------------------------------------------------------------------------------------

AREA_DATE = "2023-12-01"      # the TBSK date used for sizes and pay
OSLO_KOMMUNE = "0301"          # Oslo has its own agreement: outside the KS tariff area
OSLO_FYLKE = "03"
GLIDNING_YEARS = ("2020", "2021", "2023")  # the last three years in tbsk_outcomes.csv
OVERHENG_YEAR = "2023"                     # carry-over from 2023 into 2024
CHAPTER_SCOPE = {"4": "chapter_4", "3.4": "chapter_3.4", "5": "chapter_5"}
# 2023 step structure: g1 keeps all seven steps; g2-g5 had 2 and 4 merged into 0.
STEPS_G1 = (0, 2, 4, 6, 8, 10, 16)
STEPS_MERGED = (0, 6, 8, 10, 16)

# SYNTHETIC, not observed: how the members that answered adopted their answers (KS reported
# that about 75 % of the members answered with a political adoption in 2022), the share of
# them that also write a free-text answer, and the seed of these draws.
SYNTH_ADOPTION = (("politisk", 0.75), ("administrativt", 0.20), ("ukjent", 0.05))
SYNTH_TEXT_SHARE = 0.06
SYNTH_SEED = 2024
TEXT_QUESTION = "q_innspill"

# The synthetic free-text answers: made up, in the style of a kommunestyre's vedtak, with
# commas, quotes, a line break and æøå so that every output shows them unchanged.
SYNTH_TEXTS = (
    "Kommunestyret ber KS prioritere rekruttering av sykepleiere og lærere i distriktene, "
    "særlig i nord.",
    "Kommunestyret vedtok: \"Lavtlønte må sikres reallønnsvekst også i 2024.\"",
    "Den lokale potten bør være større, men ikke på bekostning av garantilønnen.\n"
    "Vi viser til formannskapets sak 12/24.",
    "Økt satsing på fagarbeidere, helsefagarbeidere og barne- og ungdomsarbeidere.",
    "Behold ansiennitetsstigen; \"lønnsløft for utdanning\" må ikke gå ut over de "
    "ufaglærte.",
    "Likelønn: kvinnedominerte yrker må løftes. Vi støtter en særskilt pott til lærere med "
    "tilleggsutdanning.",
    "Vi har store vansker med å rekruttere barnehagelærere, og ber om et kronetillegg som "
    "monner.",
    "Ingen øvrige innspill.",
)

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.dirname(HERE)
getcontext().prec = 50


class BuildError(Exception):
    pass


def fail(msg):
    raise BuildError(msg)


def read(name):
    """Rows of sources/name as dicts (header names as keys)."""
    with open(os.path.join(HERE, name), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# Tables are collected here and written only after every check has passed, so a failed
# build leaves the committed tables untouched.
PENDING = {}


def write(name, header, rows):
    """Queue model table name (UTF-8, comma, LF) for writing; returns its text."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    PENDING[name] = buf.getvalue()
    return PENDING[name]


def flush():
    for name in sorted(PENDING):
        path = os.path.join(MODEL, name)
        with open(path + ".tmp", "w", encoding="utf-8", newline="") as f:
            f.write(PENDING[name])
        os.replace(path + ".tmp", path)


def round_half_up(x, ndigits=0):
    """x (Fraction) rounded half away from zero to ndigits decimals, as a Fraction."""
    scale = Fraction(10) ** ndigits
    y = x * scale
    a = abs(y)
    n = (a.numerator * 2 + a.denominator) // (2 * a.denominator)
    if y < 0:
        n = -n
    return Fraction(n) / scale


def fmt_dec(x, ndigits):
    """Fraction x rounded half up to ndigits, written without trailing zeros."""
    r = round_half_up(x, ndigits)
    s = f"{Decimal(r.numerator) / Decimal(r.denominator):.{ndigits}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def largest_remainder(weights, total, keys):
    """Integers proportional to weights (Fractions) summing exactly to total.

    Each gets the floor of its quota; the units left go to the largest remainders, ties broken
    by key so the result never depends on the order of the input.
    """
    s = sum(weights)
    quotas = [w * total / s for w in weights]
    base = [q.numerator // q.denominator for q in quotas]
    left = total - sum(base)
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - base[i]), keys[i]))
    for i in order[:left]:
        base[i] += 1
    return base


def dec_pow(x, beta):
    """x ** beta in decimal arithmetic (platform-independent), as an exact Fraction."""
    d = Decimal(x) ** beta
    return Fraction(d)


# ---------------------------------------------------------------------------------------------


def load_area():
    size = {}
    for r in read("ks_area_size.csv"):
        if r["date"] == AREA_DATE:
            size[r["scope"]] = {
                "employees": int(r["employees"]),
                "fte": int(r["fte"]),
                "mean": int(r["mean_annual_nok"]),
            }
    for scope in ("ks_area", "chapter_4", "chapter_3.4", "chapter_5"):
        if scope not in size:
            fail(f"ks_area_size.csv: no row for {scope} on {AREA_DATE}")
    return size


def build_respondents(area, checks):
    kommuner = read("kommuner.csv")
    fylker = read("fylker.csv")
    fylke_name = {r["fylke_nr"]: r["fylke_name"] for r in fylker}

    ids = [r["kommunenummer"] for r in kommuner]
    if len(set(ids)) != len(ids):
        fail("kommuner.csv: duplicate kommunenummer")
    for r in kommuner:
        if len(r["kommunenummer"]) != 4 or not r["kommunenummer"].isdigit():
            fail(f"kommuner.csv: kommunenummer '{r['kommunenummer']}' is not 4 digits")
        if fylke_name.get(r["fylke_nr"]) != r["fylke_name"]:
            fail(f"kommuner.csv: {r['kommunenummer']} has fylke {r['fylke_nr']} "
                 f"'{r['fylke_name']}', fylker.csv says '{fylke_name.get(r['fylke_nr'])}'")
    # fylker.csv's populations are the sums of their kommuner: check, so a mixed-up copy
    # of either file cannot pass unnoticed.
    for f in fylker:
        s = sum(int(k["population"]) for k in kommuner if k["fylke_nr"] == f["fylke_nr"])
        if s != int(f["population"]):
            fail(f"fylker.csv: {f['fylke_nr']} population {f['population']} != "
                 f"sum of its kommuner {s}")

    kom = [r for r in kommuner if r["kommunenummer"] != OSLO_KOMMUNE]
    fyl = [r for r in fylker if r["fylke_nr"] != OSLO_FYLKE]
    if len(kom) != len(kommuner) - 1 or len(fyl) != len(fylker) - 1:
        fail("Oslo (0301 / 03) not found exactly once in kommuner.csv / fylker.csv")
    kom.sort(key=lambda r: r["kommunenummer"])
    fyl.sort(key=lambda r: r["fylke_nr"])

    total = area["ks_area"]["employees"]
    n_fyl = int(round_half_up(total * FYLKESKOMMUNE_EMPLOYEE_SHARE))
    n_kom = total - n_fyl

    kom_emp = largest_remainder(
        [dec_pow(int(r["population"]), BETA_KOMMUNE) for r in kom], n_kom,
        [r["kommunenummer"] for r in kom])
    fyl_emp = largest_remainder(
        [dec_pow(int(r["population"]), BETA_FYLKESKOMMUNE) for r in fyl], n_fyl,
        [r["fylke_nr"] for r in fyl])

    fte_ratio = Fraction(area["ks_area"]["fte"], total)

    def size_class(pop):
        label = None
        for low, lab in SIZE_BANDS:
            if pop >= low:
                label = lab
        return label

    rows = []
    for r, e in zip(kom, kom_emp):
        pop = int(r["population"])
        rows.append([r["kommunenummer"], r["name"], "kommune", r["fylke_name"], pop, e,
                     fmt_dec(e * fte_ratio, 1), size_class(pop)])
    for r, e in zip(fyl, fyl_emp):
        rows.append([r["fylke_nr"], f"{r['fylke_name']} fylkeskommune", "fylkeskommune",
                     r["fylke_name"], int(r["population"]), e, fmt_dec(e * fte_ratio, 1),
                     SIZE_CLASS_FYLKESKOMMUNE])

    # checks
    n = len(rows)
    ids = [r[0] for r in rows]
    emp_sum = sum(r[5] for r in rows)
    kom_pop = sum(r[4] for r in rows if r[2] == "kommune")
    all_pop = sum(int(r["population"]) for r in kommuner)
    oslo_pop = int(next(r for r in kommuner if r["kommunenummer"] == OSLO_KOMMUNE)["population"])
    fte_sum = sum(Fraction(r[6]) for r in rows)
    if n != 370 or len(set(ids)) != n:
        fail(f"respondents: {n} rows, {len(set(ids))} unique ids; expected 370 unique")
    if emp_sum != total:
        fail(f"respondents: employees sum to {emp_sum}, expected {total}")
    if kom_pop != all_pop - oslo_pop:
        fail(f"respondents: kommune population {kom_pop} != {all_pop} - {oslo_pop}")
    if min(r[5] for r in rows) < 1:
        fail("respondents: a member was estimated to have no employees")
    by_kind = {}
    for r in rows:
        by_kind.setdefault(r[2], [0, 0])
        by_kind[r[2]][0] += 1
        by_kind[r[2]][1] += r[5]
    by_class = {}
    for r in rows:
        by_class[r[7]] = by_class.get(r[7], 0) + 1
    checks.append(f"respondents.csv: {n} rows (kommuner {by_kind['kommune'][0]}, "
                  f"fylkeskommuner {by_kind['fylkeskommune'][0]}), ids unique: yes")
    checks.append(f"respondents.csv: employees sum {emp_sum} (kommuner {by_kind['kommune'][1]}, "
                  f"fylkeskommuner {by_kind['fylkeskommune'][1]}); expected {total}: ok")
    checks.append(f"respondents.csv: kommune population {kom_pop} = {all_pop} - {oslo_pop} "
                  f"(Oslo): ok")
    checks.append(f"respondents.csv: fte sum {fmt_dec(fte_sum, 1)} (published area FTE "
                  f"{area['ks_area']['fte']}; differs only by rounding each member to 0.1)")
    checks.append("respondents.csv: size_class counts " + ", ".join(
        f"'{k}' {v}" for k, v in sorted(by_class.items())))
    emp = {r[0]: r[5] for r in rows}
    checks.append("respondents.csv: examples (employees): " + ", ".join(
        f"{i} {next(r[1] for r in rows if r[0] == i)} {emp[i]}"
        for i in ("1151", "1515", "1818", "4601", "5001", "46", "56")))
    adopted = synthetic_regional([r[0] for r in rows], checks)
    return write("respondents.csv",
                 ["id", "name", "kind", "region", "population", "employees", "fte",
                  "size_class", "adopted"], [r + [adopted[r[0]]] for r in rows])


def synthetic_regional(ids, checks):
    """SYNTHETIC: each answering member's adoption, and a few free-text answers.

    Who answered is read from ../answers.csv (made by `mandat generate answers`, which ignores
    the adopted column and the text question, so the two steps do not feed each other).
    The texts are SYNTH_TEXTS in turn, so each of them occurs.
    Members without an answer get an empty adoption. Draws use only random.random() of a
    Random seeded with SYNTH_SEED, whose sequence Python keeps the same across versions.
    Writes text_answers.csv; returns {id: adoption}.
    """
    import random
    path = os.path.join(MODEL, "answers.csv")
    answered = set()
    if os.path.exists(path):
        with open(path, encoding="utf-8", newline="") as f:
            answered = {r["respondent"] for r in csv.DictReader(f)}
    rng = random.Random(SYNTH_SEED)
    adopted, texts = {}, []
    for i in ids:  # respondents.csv order
        if i not in answered:
            adopted[i] = ""
            continue
        u, acc = rng.random(), 0.0
        adopted[i] = SYNTH_ADOPTION[-1][0]
        for name, p in SYNTH_ADOPTION:
            acc += p
            if u < acc:
                adopted[i] = name
                break
        if rng.random() < SYNTH_TEXT_SHARE:
            texts.append([i, TEXT_QUESTION, SYNTH_TEXTS[len(texts) % len(SYNTH_TEXTS)]])
    write("text_answers.csv", ["respondent", "question", "text"], texts)
    counts = {name: sum(1 for v in adopted.values() if v == name) for name, _ in SYNTH_ADOPTION}
    checks.append("respondents.csv: SYNTHETIC adopted among the " + str(len(answered)) +
                  " members that answered: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    checks.append(f"text_answers.csv: SYNTHETIC, {len(texts)} free-text answers")
    return adopted


def guarantee_2023(checks):
    """The guarantee table valid from 1 May 2023, as {group: {step: NOK}}."""
    g22 = {}
    for r in read("guarantee_2022.csv"):
        g22.setdefault(r["group"], {})[int(r["step_years"])] = int(r["annual_nok"])
    inc = {}
    for r in read("increases_2023.csv"):
        inc.setdefault(r["group"], {})[int(r["step_years"])] = int(r["annual_nok"])
    g24 = {r["group"]: (int(r["annual_nok"]), int(r["increase_2024_nok"]))
           for r in read("guarantee_2024_step0.csv") if int(r["step_years"]) == 0}
    g21 = {}
    for r in read("guarantee_2021.csv"):
        g21.setdefault(r["group"], {})[int(r["step_years"])] = int(r["annual_nok"])

    out = {}
    # g1-g5: the 2022 table plus the 2023 increase, on the 2023 step structure.
    for g in ("g1", "g2", "g3", "g4", "g5"):
        want = STEPS_G1 if g == "g1" else STEPS_MERGED
        if tuple(sorted(inc.get(g, {}))) != want:
            fail(f"increases_2023.csv: {g} has steps {sorted(inc.get(g, {}))}, expected {want}")
        if tuple(sorted(g22.get(g, {}))) != STEPS_G1:
            fail(f"guarantee_2022.csv: {g} has steps {sorted(g22.get(g, {}))}, "
                 f"expected {STEPS_G1}")
        if g != "g1":
            # Merging 2 and 4 into 0 is only lossless if they already paid the same.
            v = (g22[g][0], g22[g][2], g22[g][4])
            if len(set(v)) != 1:
                fail(f"guarantee_2022.csv: {g} pays {v} at 0, 2, 4 years; they must be equal "
                     f"for 2 and 4 to merge into 0 in 2023")
        out[g] = {s: g22[g][s] + inc[g][s] for s in want}
    checks.append("guarantee: 2022 values at 0, 2 and 4 years are equal for g2-g5: ok (" +
                  ", ".join(f"{g} {g22[g][0]}" for g in ("g2", "g3", "g4", "g5")) + ")")

    # Independent consistency check: the 2024 step-0 level minus the 2024 increase is the
    # 2023 level; it must agree with 2022 + the 2023 increase.
    lines = []
    for g in ("g1", "g2", "g3", "g4", "g5"):
        a = out[g][0]
        b = g24[g][0] - g24[g][1]
        if a != b:
            fail(f"guarantee: {g} step 0 in 2023: guarantee_2022 + increases_2023 = {a}, but "
                 f"guarantee_2024_step0 - increase_2024 = {b}")
        lines.append(f"{g} {g22[g][0]}+{inc[g][0]}={a}={g24[g][0]}-{g24[g][1]}")
    checks.append("guarantee: 2023 step 0 from 2022+2023 increase equals 2024 step 0 - 2024 "
                  "increase for g1-g5: ok (" + "; ".join(lines) + ")")

    # g6-g8: the 2022 table is not in the sources; only step 0 can be derived.
    for g in ("g6", "g7", "g8"):
        if g not in g24:
            fail(f"guarantee_2024_step0.csv: no step-0 row for {g}")
        out[g] = {0: g24[g][0] - g24[g][1]}
    checks.append("guarantee: g6-g8 step 0 only, = 2024 step 0 - 2024 increase (" + ", ".join(
        f"{g} {out[g][0]}" for g in ("g6", "g7", "g8")) + ")")

    # Informational: the rise at step 0 from 2021 to 1 May 2022 this implies (2022 settlement
    # and the 2022 merge of steps). Not a check: no source states it.
    rises = []
    for g in sorted(out):
        lvl22 = g22[g][0] if g in g22 else out[g][0] - inc[g][0]
        rises.append(f"{g} {lvl22 - g21[g][0]}")
    checks.append("info: implied step-0 rise 2021 -> 1 May 2022 (g6-g8 via 2023 - increase "
                  "2023): " + ", ".join(rises))
    return out, inc


def build_guarantee(gtab):
    rows = [[g, s, gtab[g][s]] for g in sorted(gtab) for s in sorted(gtab[g])]
    return write("guarantee.csv", ["group", "step_years", "annual_nok"], rows)


def copy_increases():
    """The 2023 kroner table, copied byte for byte (values and header unchanged)."""
    with open(os.path.join(HERE, "increases_2023.csv"), encoding="utf-8", newline="") as f:
        PENDING["increases_2023.csv"] = f.read()


def chapter_rates(checks):
    """Overheng and glidning per chapter, each increase counted once.

    Chapter 4: KS's own 2024 split (frame_components.csv): overheng 1.8 from 2023, glidning
    estimate 0.1 (the mean of the three previous years, as KS computes it).
    Chapters 3.4 and 5: overheng is the TBSK carry-over from 2023 into 2024. Their realised
    glidning (2.6-4.8) is mostly their own locally negotiated increases, which the scenario
    gives them as settlement elements (leaders' named percent, chapter 5's local room); to
    count those once, the drift beside the element is taken as chapter 4's 0.1 (an
    assumption: the drift that is not a negotiated increase is the same as in chapter 4).
    """
    tb = {(r["year"], r["scope"]): r for r in read("tbsk_outcomes.csv")}
    fc = {(r["year"], r["scope"], r["item"]): r for r in read("frame_components.csv")}
    try:
        ch4_over = Fraction(fc[("2024", "chapter_4", "overheng_from_previous_year")]["value_pct"])
        ch4_gl = Fraction(fc[("2024", "chapter_4", "glidning_estimate")]["value_pct"])
    except KeyError as e:
        fail(f"frame_components.csv: no 2024 chapter_4 row {e}")
    rates = {"4": (ch4_over, ch4_gl)}
    checks.append(f"groups: chapter 4: overheng {fmt_dec(ch4_over, 6)}, glidning "
                  f"{fmt_dec(ch4_gl, 6)} (KS's 2024 split, frame_components.csv)")
    for ch, scope in CHAPTER_SCOPE.items():
        if ch == "4":
            continue
        if (OVERHENG_YEAR, scope) not in tb:
            fail(f"tbsk_outcomes.csv: no {scope} row for {OVERHENG_YEAR}")
        over = Fraction(tb[(OVERHENG_YEAR, scope)]["overheng_next_pct"])
        rates[ch] = (over, ch4_gl)
        checks.append(f"groups: chapter {ch}: overheng {fmt_dec(over, 6)} (TBSK, 2023 into "
                      f"2024), glidning {fmt_dec(ch4_gl, 6)} beside its own increase "
                      f"(assumed as chapter 4's)")
    return rates


def build_increases_2024():
    """The 2024 kroner increases from 1 May: the published part and the unpublished shape.

    Published (guarantee_2024_step0.csv): the increase at step 0 for every group (31 300 for
    g1, 22 000 for g2-g8). increases_2024_base.csv gives that amount at every step of the
    group (an assumption for the higher steps: at least the step-0 amount).
    Not published: how much more the higher steps got (the range is 22 000-37 000).
    increases_2024_extra.csv holds the shape assumed for it: for g2-g8 an extra rising
    linearly with the step's years, 15 000 x years / 16 (so that at factor 1 the 16-year step
    gets 22 000 + 15 000 = 37 000, the top of the published range), none for g1 (whose
    31 300 already stands out). The scenario scales it with the table rule so that chapter
    4's central and local increases cost KS's published 3.3; a factor at most 1 keeps every
    amount in the published range. (The 2023 premiums' own shape cannot reach 3.3 inside
    the range: they are concentrated at 10 and 16 years, and would need 44 000 at the top.)
    """
    inc23 = {}
    for r in read("increases_2023.csv"):
        inc23.setdefault(r["group"], {})[int(r["step_years"])] = int(r["annual_nok"])
    step0 = {r["group"]: int(r["increase_2024_nok"]) for r in read("guarantee_2024_step0.csv")}
    base, extra = [], []
    for g in sorted(inc23):
        for y in sorted(inc23[g]):
            base.append([g, y, step0[g]])
            extra.append([g, y, 0 if g == "g1" else (15000 * y + 8) // 16])
    write("increases_2024_base.csv", ["group", "step_years", "annual_nok"], base)
    write("increases_2024_extra.csv", ["group", "step_years", "annual_nok"], extra)

    # 2025 (interim settlement), kroner from 1 May up to 21 200; the lowest amount is given
    # as 15 200 by Unio and 14 500 by KS in the press (unresolved; we take Unio's 15 200).
    # Published by group: nothing found. Assumed: 15 200 for every group at every step
    # (increases_2025_base.csv) and an extra rising linearly with the step's years,
    # 6 000 x years / 16, so that at factor 1 the 16-year step gets 21 200, the top
    # (increases_2025_extra.csv); the scenario scales the extra to the 2025 frame.
    base, extra = [], []
    for g in sorted(inc23):
        for y in sorted(inc23[g]):
            base.append([g, y, 15200])
            extra.append([g, y, (6000 * y + 8) // 16])
    write("increases_2025_base.csv", ["group", "step_years", "annual_nok"], base)
    write("increases_2025_extra.csv", ["group", "step_years", "annual_nok"], extra)


def build_groups(area, gtab, checks):
    names = {r["id"]: r["name_nb"] for r in read("groups_chapter4.csv")}
    ids = [g for g, _, _ in CH4_GROUP_ASSUMPTIONS]
    if sorted(ids) != sorted(names):
        fail(f"groups: assumption table names {ids}, groups_chapter4.csv has {sorted(names)}")
    share = [Fraction(s) for _, s, _ in CH4_GROUP_ASSUMPTIONS]
    if sum(share) != 100:
        fail(f"groups: CH4 headcount shares sum to {sum(share)}, not 100")
    rel = [Fraction(r) for _, _, r in CH4_GROUP_ASSUMPTIONS]

    ch4 = area["chapter_4"]
    head = largest_remainder(share, ch4["employees"], ids)
    fte_tenths = largest_remainder([h * r for h, r in zip(head, rel)], ch4["fte"] * 10, ids)
    fte = [Fraction(t, 10) for t in fte_tenths]

    step0 = [gtab[g][0] for g in ids]
    factor = Fraction(ch4["mean"]) * sum(fte) / sum(f * s for f, s in zip(fte, step0))
    mean = [int(round_half_up(s * factor)) for s in step0]
    wmean = sum(f * m for f, m in zip(fte, mean)) / sum(fte)

    rates = chapter_rates(checks)
    rows = []
    for g, h, f, m in zip(ids, head, fte, mean):
        o, gl = rates["4"]
        rows.append([g, names[g], "4", h, fmt_dec(f, 1), m, fmt_dec(o, 6), fmt_dec(gl, 6)])
    for gid, name, ch, scope in (("c34", "Ledere i kapittel 3.4", "3.4", "chapter_3.4"),
                                 ("c5", "Kapittel 5-grupper (akademikere)", "5", "chapter_5")):
        a = area[scope]
        o, gl = rates[ch]
        rows.append([gid, name, ch, a["employees"], a["fte"], a["mean"], fmt_dec(o, 6),
                     fmt_dec(gl, 6)])

    if sum(head) != ch4["employees"] or sum(fte) != ch4["fte"]:
        fail(f"groups: chapter 4 sums {sum(head)} / {sum(fte)}")
    if abs(wmean - ch4["mean"]) >= 1:
        fail(f"groups: FTE-weighted chapter-4 mean {float(wmean)} is not {ch4['mean']}")
    checks.append(f"groups.csv: chapter 4 headcount sum {sum(head)} (expected "
                  f"{ch4['employees']}): ok; FTE sum {fmt_dec(sum(fte), 1)} (expected "
                  f"{ch4['fte']}): ok")
    checks.append(f"groups.csv: mean salary = 2023 step-0 guarantee x {fmt_dec(factor, 6)}; "
                  f"FTE-weighted mean over g1-g8 = {fmt_dec(wmean, 3)} (published "
                  f"{ch4['mean']}, off by {fmt_dec(wmean - ch4['mean'], 3)} NOK)")
    checks.append("groups.csv: g1-g8 headcount/FTE/mean: " + "; ".join(
        f"{r[0]} {r[3]}/{r[4]}/{r[5]}" for r in rows[:8]))
    all_head = sum(r[3] for r in rows)
    checks.append(f"info: headcount over all groups {all_head} vs. KS area {area['ks_area']['employees']} "
                  f"(the published chapter headcounts sum to {all_head - area['ks_area']['employees']:+d} "
                  f"more than the area total); FTE over all groups "
                  f"{fmt_dec(sum(Fraction(str(r[4])) for r in rows), 1)} vs. {area['ks_area']['fte']}")
    return write("groups.csv", ["id", "name", "chapter", "headcount", "fte", "mean_salary",
                                "overheng_pct", "glidning_pct"], rows)


def build_questionnaire():
    names = {r["id"]: r["name_nb"] for r in read("groups_chapter4.csv")}
    groups = sorted(names)
    q = [
        ["q_rank", "rank", "Hvilke stillingsgrupper bør prioriteres? (1 = høyest prioritet)",
         "priority", "", "", "no"],
        ["q_score", "score",
         "Hvor viktig er et lønnsløft for hver av disse stillingsgruppene? "
         "(fra 1 = lite viktig til 5 = svært viktig)", "priority", "1", "5", ""],
        ["q_local", "share", "Hvor stor andel av rammen bør fordeles i lokale forhandlinger?",
         "split", "0", "100", ""],
        ["q_form", "choice", "Kronetillegg eller prosenttillegg?", "profile", "", "", ""],
        ["q_lowpay", "choice", "Lavtlønn eller utdanning og ansiennitet?", "profile", "", "",
         ""],
        [TEXT_QUESTION, "text", "Andre innspill til forhandlingene", "", "", "", ""],
    ]
    o = []
    for qid in ("q_rank", "q_score"):
        o += [[qid, g, names[g], g] for g in groups]
    o.append(["q_local", "local", "Andel av rammen til lokale forhandlinger (prosent)", ""])
    o += [["q_form", "krone", "Kronetillegg (likt kronebeløp til alle)", ""],
          ["q_form", "prosent", "Prosenttillegg (lik prosent til alle)", ""],
          ["q_form", "kombinasjon", "Kombinasjon av krone- og prosenttillegg", ""]]
    o += [["q_lowpay", "lavtlonn", "Prioritere lavtlønte", ""],
          ["q_lowpay", "utdanning", "Prioritere utdanning og ansiennitet", ""],
          ["q_lowpay", "balansert", "Balansert mellom lavtlønn og utdanning", ""]]
    write("questions.csv", ["id", "type", "text", "role", "min", "max", "ties"], q)
    write("options.csv", ["question", "id", "label", "group"], o)
    return len(q), len(o)


def main():
    checks = []
    area = load_area()
    build_respondents(area, checks)
    gtab, _ = guarantee_2023(checks)
    build_guarantee(gtab)
    copy_increases()
    build_increases_2024()
    build_groups(area, gtab, checks)
    nq, no = build_questionnaire()
    checks.append(f"questions.csv: {nq} questions; options.csv: {no} options")
    checks.append(f"guarantee.csv: {sum(len(v) for v in gtab.values())} rows")
    flush()
    print(f"built the ks-2024 model tables in {MODEL}")
    for c in checks:
        print("  " + c)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BuildError as e:
        print(f"build_model.py: error: {e}", file=sys.stderr)
        sys.exit(1)
