#!/usr/bin/env python3
"""Wrote the bad-input corpus under tests/bad/ once, from tests/fixtures/small.

The cases (tests/bad/<category>/<case>/) are the data: each holds the files that differ
from the base fixture and an `expect` file. This script is kept so that the corpus can be
extended the same way; every expected status and location below was worked out by hand from
the file's text (the column of a field is 1 + the characters before it on its line), never
from the program's output. Run it from anywhere: it rewrites tests/bad/*/ (not run.py).
"""
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.join(HERE, "..", "fixtures", "small")
CSVS = ["respondents.csv", "groups.csv", "questions.csv", "options.csv", "answers.csv",
        "headcounts.csv", "register.csv", "guarantee.csv", "increases.csv"]
# Files read by every command (aggregate runs with --by-group) and those only simulate and
# run read (the scenario names increases.csv; guarantee.csv is the model's default).
AGG_FILES = {"respondents.csv", "groups.csv", "questions.csv", "options.csv", "answers.csv",
             "headcounts.csv"}
ALL = "aggregate simulate run"
SIM = "simulate run"


def base(name):
    with open(os.path.join(BASE, name), "rb") as f:
        return f.read()


def lines(name):
    return base(name).decode("utf-8").split("\n")[:-1]


def join(ls, end="\n"):
    return (end.join(ls) + end).encode("utf-8")


def col(line, field, delim=","):
    """1-based column where field `field` (0-based) of an unquoted line starts."""
    parts = line.split(delim)
    return 1 + sum(len(p) + 1 for p in parts[:field])


def cmds_for(name):
    return ALL if name in AGG_FILES else SIM


cases = []


def case(cat, name, status, where, files=None, cmds=None, delete=(), big=None, message=None,
         note=""):
    cases.append(dict(cat=cat, name=name, status=status, where=where, files=files or {},
                      cmds=cmds, delete=list(delete), big=big, message=message, note=note))


def with_line(fname, lineno, text):
    """fname with its line `lineno` (1-based) replaced by text."""
    ls = lines(fname)
    ls[lineno - 1] = text
    return join(ls)


def set_field(fname, lineno, field, value):
    ls = lines(fname)
    parts = ls[lineno - 1].split(",")
    parts[field] = value
    ls[lineno - 1] = ",".join(parts)
    return join(ls), col(lines(fname)[lineno - 1], field)


HEADER_COLS = {f: lines(f)[0].split(",") for f in CSVS}
NOUN = {"respondents.csv": "member", "groups.csv": "employee group", "questions.csv": "question",
        "options.csv": "option", "answers.csv": "answer", "headcounts.csv": "headcount",
        "register.csv": "employee",
        "guarantee.csv": "row of group, step_years and annual_nok",
        "increases.csv": "row of group, step_years and annual_nok"}

# ---------------------------------------------------------------- missing files ----------
for f in CSVS:
    stem = f[:-4]
    if f == "guarantee.csv":
        continue  # the model's default guarantee table may be absent (a warning): see below
    case("missing", stem, 66, f, delete=[f], cmds=cmds_for(f), message="cannot open")
case("missing", "scenario", 66, "nope.ini", cmds="simulate run", message="cannot open",
     note="the scenario given does not exist", big=None)
cases[-1]["scenario"] = "nope.ini"
case("missing", "guarantee_named", 66, "guarantee_2024.csv", cmds=SIM, message="cannot open",
     files={"scenario.ini": with_line("scenario.ini", 16,
                                      "table = increases.csv\nguarantee = guarantee_2024.csv")})
case("missing", "scenario_is_a_directory", 66, "sub.ini", cmds=SIM,
     message="expected a scenario file, found a directory")
cases[-1]["scenario"] = "sub.ini"
cases[-1]["mkdir"] = "sub.ini"
case("missing", "guarantee_is_a_directory", 66, "guarantee.csv", cmds=SIM,
     delete=["guarantee.csv"], message="expected a file, found a directory")
cases[-1]["mkdir"] = "guarantee.csv"

# ---------------------------------------------------------------- empty files ------------
for f in CSVS:
    case("empty", f[:-4], 65, f + ":1:1", files={f: b""}, cmds=cmds_for(f),
         message="expected a header row, found an empty file")
    case("empty", f[:-4] + "_blank_line", 65, f + ":1:1", files={f: b"\n"}, cmds=cmds_for(f),
         message="expected a header row, found an empty line")

# ---------------------------------------------------------------- header only ------------
for f in CSVS:
    case("header_only", f[:-4], 65, f + ":2:1", files={f: join(lines(f)[:1])},
         cmds=cmds_for(f), message="expected at least one %s, found none" % NOUN[f])

# ---------------------------------------------------------------- truncated --------------
# The file ends inside its last row (no line end): the row is short of fields.
for f, keep in [("answers.csv", 2), ("headcounts.csv", 2), ("register.csv", 4),
                ("respondents.csv", 5), ("guarantee.csv", 2), ("increases.csv", 1),
                ("options.csv", 2)]:
    ls = lines(f)
    last = ",".join(ls[-1].split(",")[:keep])
    text = ("\n".join(ls[:-1]) + "\n" + last).encode("utf-8")
    n = len(HEADER_COLS[f])
    case("truncated", f[:-4], 65, "%s:%d:%d" % (f, len(ls), len(last) + 1), files={f: text},
         cmds=cmds_for(f), message="expected %d fields as in the header, found %d" % (n, keep))

# ---------------------------------------------------------------- missing columns --------
REQUIRED = {"respondents.csv": ["id", "name", "kind", "region", "population", "employees"],
            "groups.csv": ["id", "name", "chapter"],
            "questions.csv": ["id", "type", "text"],
            "options.csv": ["question", "id", "label"],
            "answers.csv": ["respondent", "question", "option", "value"],
            "headcounts.csv": ["respondent", "group", "headcount"],
            "register.csv": ["id", "respondent", "group", "seniority_years", "fte",
                             "annual_salary"],
            "guarantee.csv": ["group", "step_years", "annual_nok"],
            "increases.csv": ["group", "annual_nok"]}
for f, colsreq in REQUIRED.items():
    for c in colsreq:
        ls = lines(f)
        k = HEADER_COLS[f].index(c)
        out = []
        for l in ls:
            parts = l.split(",")
            del parts[k]
            out.append(",".join(parts))
        if f == "questions.csv":
            # the text of q_form is quoted and holds commas: drop the column by hand
            out = []
            for l in ls:
                import csv as _csv
                row = next(_csv.reader([l]))
                del row[k]
                out.append(",".join('"%s"' % x if "," in x else x for x in row))
        case("missing_column", "%s_%s" % (f[:-4], c), 65, f + ":1:1", files={f: join(out)},
             cmds=cmds_for(f), message="expected a column named '%s' in the header" % c)

# ---------------------------------------------------------------- duplicated columns -----
for f in CSVS:
    ls = lines(f)
    first = HEADER_COLS[f][0]
    ls2 = [l + "," + (first if i == 0 else l.split(",")[0]) for i, l in enumerate(ls)]
    if f == "questions.csv":
        ls2 = [l + "," + (first if i == 0 else l.split(",")[0]) for i, l in enumerate(ls)]
    case("duplicated_column", f[:-4], 65, "%s:1:%d" % (f, len(ls[0]) + 2), files={f: join(ls2)},
         cmds=cmds_for(f), message="expected unique column names, found '%s' twice" % first)

# ---------------------------------------------------------------- short and long rows ----
for f in CSVS:
    ls = lines(f)
    r = 3 if len(ls) > 3 else 2
    n = len(HEADER_COLS[f])
    if f == "questions.csv":
        r = 2
    parts = ls[r - 1].split(",")
    if f == "questions.csv":
        import csv as _csv
        parts = next(_csv.reader([ls[r - 1]]))
    short = ",".join(parts[:-1])
    case("short_rows", f[:-4], 65, "%s:%d:%d" % (f, r, len(short) + 1),
         files={f: with_line(f, r, short)}, cmds=cmds_for(f),
         message="expected %d fields as in the header, found %d" % (n, n - 1))
    long = ls[r - 1] + ",extra"
    case("long_rows", f[:-4], 65, "%s:%d:%d" % (f, r, len(ls[r - 1]) + 2),
         files={f: with_line(f, r, long)}, cmds=cmds_for(f),
         message="expected %d fields as in the header, found more" % n)
# a header with a column the rows do not have
for f in ["answers.csv", "register.csv", "headcounts.csv"]:
    ls = lines(f)
    ls[0] += ",note"
    n = len(HEADER_COLS[f]) + 1
    case("short_rows", f[:-4] + "_header_longer", 65, "%s:2:%d" % (f, len(ls[1]) + 1),
         files={f: join(ls)}, cmds=cmds_for(f),
         message="expected %d fields as in the header, found %d" % (n, n - 1))

# ---------------------------------------------------------------- wrong types ------------
def bad_field(cat, name, f, lineno, field, value, message, status=65):
    text, c = set_field(f, lineno, field, value)
    case(cat, name, status, "%s:%d:%d" % (f, lineno, c), files={f: text}, cmds=cmds_for(f),
         message=message)


bad_field("wrong_types", "respondents_employees_text", "respondents.csv", 4, 5, "many",
          "employees: expected a number, found 'many'")
bad_field("wrong_types", "respondents_population_text", "respondents.csv", 2, 4, "148 682x",
          "population: expected a number")
bad_field("wrong_types", "respondents_kind_unknown", "respondents.csv", 5, 2, "bydel",
          "kind: expected")
bad_field("wrong_types", "answers_value_text", "answers.csv", 10, 3, "high",
          "value: expected a number, found 'high'")
bad_field("wrong_types", "headcounts_headcount_text", "headcounts.csv", 6, 2, "12 ansatte",
          "headcount: expected a number")
bad_field("wrong_types", "register_salary_decimal", "register.csv", 5, 5, "612000.5",
          "annual_salary: expected a whole number, found '612000.5'")
bad_field("wrong_types", "register_fte_text", "register.csv", 7, 4, "full",
          "fte: expected a number with at most 4 decimals, found 'full'")
bad_field("wrong_types", "register_fte_five_decimals", "register.csv", 8, 4, "0.12345",
          "fte: expected a number with at most 4 decimals, found '0.12345'")
bad_field("wrong_types", "register_seniority_text", "register.csv", 9, 3, "ti",
          "seniority_years: expected a number, found 'ti'")
bad_field("wrong_types", "register_weight_text", "register.csv", 10, 6, "x",
          "weight: expected a number with at most 4 decimals, found 'x'")
bad_field("wrong_types", "guarantee_nok_text", "guarantee.csv", 3, 2, "575 000 kr",
          "annual_nok: expected a number")
bad_field("wrong_types", "guarantee_step_text", "guarantee.csv", 4, 1, "ti",
          "step_years: expected a number, found 'ti'")
bad_field("wrong_types", "increases_nok_text", "increases.csv", 2, 2, "mye",
          "annual_nok: expected a number, found 'mye'")
bad_field("wrong_types", "questions_type_unknown", "questions.csv", 3, 1, "slider",
          "expected score, rank, share, choice or text, found 'slider'")
bad_field("wrong_types", "questions_role_unknown", "questions.csv", 4, 3, "budget",
          "expected priority, split, profile or an empty field, found 'budget'")
bad_field("wrong_types", "answers_rank_fraction", "answers.csv", 2, 3, "1.5", "rank")
bad_field("wrong_types", "register_salary_negative", "register.csv", 3, 5, "-569560",
          "expected a whole number of NOK from 1 to 1000000000, found '-569560'")

# ---------------------------------------------------------------- NaN, inf, 1e400, <0 ----
for v in ["nan", "inf", "-inf", "1e400", "NaN"]:
    tag = v.replace("-", "minus_")
    bad_field("nan_inf", "respondents_employees_" + tag, "respondents.csv", 3, 5, v,
              "employees: expected a number, found '%s'" % v)
    bad_field("nan_inf", "answers_value_" + tag, "answers.csv", 5, 3, v,
              "value: expected a number, found '%s'" % v)
    bad_field("nan_inf", "register_seniority_" + tag, "register.csv", 4, 3, v,
              "seniority_years: expected a number, found '%s'" % v)
for v, msg in [("1e400", "expected a whole number"), ("99999999999999999999",
                                                      "expected a whole number")]:
    bad_field("nan_inf", "register_salary_" + v[:6], "register.csv", 6, 5, v,
              "annual_salary: " + msg)
bad_field("nan_inf", "headcounts_inf", "headcounts.csv", 9, 2, "inf",
          "headcount: expected a number, found 'inf'")
bad_field("nan_inf", "headcounts_1e308", "headcounts.csv", 9, 2, "1e308",
          "headcount: expected a number from 0 to 1e\\+09, found '1e\\+308'")
bad_field("nan_inf", "respondents_employees_1e308", "respondents.csv", 6, 5, "1e308",
          "employees: expected a number from 0 to 1e\\+15, found '1e\\+308'")
bad_field("nan_inf", "guarantee_nok_inf", "guarantee.csv", 2, 2, "inf",
          "annual_nok: expected a number, found 'inf'")
# negative values
bad_field("negative", "respondents_population", "respondents.csv", 7, 4, "-28712",
          "population: expected a number from 0 to 1e\\+15, found '-28712'")
bad_field("negative", "respondents_fte", "respondents.csv", 8, 6, "-1",
          "fte: expected a number from 0 to 1e\\+15, found '-1'")
bad_field("negative", "headcounts", "headcounts.csv", 11, 2, "-5",
          "headcount: expected a number from 0 to 1e\\+09, found '-5'")
bad_field("negative", "register_fte", "register.csv", 11, 4, "-0.5",
          "expected a full-time equivalent above 0 and at most 1, found '-0.5'")
bad_field("negative", "register_fte_zero", "register.csv", 12, 4, "0",
          "expected a full-time equivalent above 0 and at most 1, found '0'")
bad_field("negative", "register_fte_above_one", "register.csv", 12, 4, "1.5",
          "expected a full-time equivalent above 0 and at most 1, found '1.5'")
bad_field("negative", "register_seniority", "register.csv", 13, 3, "-2",
          "expected years of seniority >= 0, found '-2'")
bad_field("negative", "register_weight", "register.csv", 14, 6, "-3",
          "expected a weight above 0 and at most 214748.3647, found '-3'")
bad_field("negative", "register_weight_zero", "register.csv", 14, 6, "0",
          "expected a weight above 0 and at most 214748.3647, found '0'")
bad_field("negative", "register_salary_zero", "register.csv", 15, 5, "0",
          "expected a whole number of NOK from 1 to 1000000000, found '0'")
bad_field("negative", "guarantee_step", "guarantee.csv", 3, 1, "-1",
          "step_years")
bad_field("negative", "guarantee_nok", "guarantee.csv", 5, 2, "-455000", "annual_nok")

# ---------------------------------------------------------------- unknown ids ------------
bad_field("unknown_ids", "answers_respondent", "answers.csv", 12, 0, "9999",
          "respondent: expected a member id from respondents.csv, found '9999'")
bad_field("unknown_ids", "answers_question", "answers.csv", 13, 1, "q_nope",
          "question: expected a question id")
bad_field("unknown_ids", "answers_option", "answers.csv", 14, 2, "g9", "g9")
bad_field("unknown_ids", "headcounts_respondent", "headcounts.csv", 15, 0, "0000",
          "expected a member id from respondents.csv, found '0000'")
bad_field("unknown_ids", "headcounts_group", "headcounts.csv", 16, 1, "g4",
          "expected a group id from groups.csv, found 'g4'")
bad_field("unknown_ids", "register_respondent", "register.csv", 16, 1, "4999",
          "respondent: expected a member id from respondents.csv, found '4999'")
bad_field("unknown_ids", "register_group", "register.csv", 17, 2, "g0",
          "group: expected a group id from groups.csv, found 'g0'")
bad_field("unknown_ids", "options_question", "options.csv", 5, 0, "q_other",
          "expected a question id from questions.csv, found 'q_other'")
bad_field("unknown_ids", "options_group", "options.csv", 3, 3, "g7",
          "expected a group id from groups.csv, found 'g7'")
bad_field("unknown_ids", "guarantee_group", "guarantee.csv", 6, 0, "g5", "g5")
bad_field("unknown_ids", "increases_group", "increases.csv", 4, 0, "x1", "x1")

# ---------------------------------------------------------------- duplicated ids ---------
def dup_line(cat, name, f, src, msg, at_field=0):
    ls = lines(f)
    ls.append(ls[src - 1])
    n = len(ls)
    c = col(ls[-1], at_field)
    case(cat, name, 65, "%s:%d:%d" % (f, n, c), files={f: join(ls)}, cmds=cmds_for(f),
         message=msg)


dup_line("duplicated_ids", "respondents", "respondents.csv", 4,
         "expected a unique member id, found '1806' again \\(first on line 4\\)")
dup_line("duplicated_ids", "register", "register.csv", 20,
         "expected each employee id once, found '19' again \\(first on line 20\\)")
dup_line("duplicated_ids", "headcounts", "headcounts.csv", 7,
         "expected one row per member and group", at_field=1)
dup_line("duplicated_ids", "groups", "groups.csv", 3, "g2")
dup_line("duplicated_ids", "questions", "questions.csv", 2,
         "expected a unique question id, found 'q_rank' again \\(first on line 2\\)")
dup_line("duplicated_ids", "options", "options.csv", 4,
         "expected an option id unique within question 'q_rank', found 'g3' again", at_field=1)
dup_line("duplicated_ids", "guarantee", "guarantee.csv", 3,
         "expected one row per group and step, found 'g1' and '10' again \\(first on line 3\\)",
         at_field=1)
dup_line("duplicated_ids", "answers", "answers.csv", 6,
         "expected one answer per respondent and option", at_field=2)

# ---------------------------------------------------------------- unterminated quotes ----
for f, r, field in [("answers.csv", 30, 1), ("respondents.csv", 9, 1), ("register.csv", 12, 2),
                    ("headcounts.csv", 20, 0), ("options.csv", 6, 2), ("groups.csv", 3, 1),
                    ("guarantee.csv", 4, 0), ("increases.csv", 3, 0)]:
    ls = lines(f)
    parts = ls[r - 1].split(",")
    c = col(ls[r - 1], field)
    parts[field] = '"' + parts[field]
    ls[r - 1] = ",".join(parts)
    case("unterminated_quote", f[:-4], 65, "%s:%d:%d" % (f, r, c), files={f: join(ls)},
         cmds=cmds_for(f), message="expected a closing quote for the quote that opens here")
# a quote closed in the middle of a field
ls = lines("answers.csv")
ls[7] = ls[7].replace("q_local", '"q_"local', 1)
case("unterminated_quote", "answers_stray_quote", 65, "answers.csv:8:10", files={"answers.csv": join(ls)},
     cmds=ALL, message="expected a delimiter or line end after a closing quote, found 'l'")

# ---------------------------------------------------------------- NUL bytes --------------
for f, r, field in [("answers.csv", 20, 2), ("respondents.csv", 6, 1), ("register.csv", 9, 5),
                    ("headcounts.csv", 12, 2), ("options.csv", 4, 2), ("groups.csv", 2, 1),
                    ("questions.csv", 3, 0), ("guarantee.csv", 2, 2), ("increases.csv", 2, 1)]:
    ls = lines(f)
    parts = ls[r - 1].split(",")
    c = col(ls[r - 1], field) + 1
    parts[field] = parts[field][:1] + "\0" + parts[field][1:]
    ls[r - 1] = ",".join(parts)
    case("nul_bytes", f[:-4], 65, "%s:%d:%d" % (f, r, c), files={f: join(ls)}, cmds=cmds_for(f),
         message="expected UTF-8 text, found a NUL byte")
ls = lines("answers.csv")
ls[0] = "respondent,ques\0tion,option,value"
case("nul_bytes", "answers_header", 65, "answers.csv:1:16", files={"answers.csv": join(ls)},
     cmds=ALL, message="expected UTF-8 text")
ls = lines("scenario.ini")
ls[13] = "theta = 0\0.5"
case("nul_bytes", "scenario_value", 65, "scenario.ini:14:10", files={"scenario.ini": join(ls)},
     cmds=SIM, message="expected text, found a NUL byte")

# ---------------------------------------------------------------- invalid UTF-8 ----------
def raw_replace(f, old, new):
    b = base(f)
    assert old in b, (f, old)
    return b.replace(old, new, 1)


# 'Bodø' in Latin-1: line 3, the name field starts at column 6, the byte 0xF8 is column 9
case("invalid_utf8", "respondents_latin1", 65, "respondents.csv:3:9",
     files={"respondents.csv": raw_replace("respondents.csv", "Bodø".encode(), b"Bod\xf8")},
     cmds=ALL, message="expected UTF-8 text, found a byte that is not UTF-8")
# A UTF-8 file with one Latin-1 byte (line 4) is not read as Windows-1252: its other letters
# are UTF-8 (line 2 is made to hold one), and converting would garble them.
case("invalid_utf8", "groups_latin1", 65, "groups.csv:4:14",
     files={"groups.csv": raw_replace(
         "groups.csv", "Barnehagelærere".encode(), b"Barnehagel\xe6rere").replace(
             b"Sykepleiere", "Sykepleiere (sjukepleiarar, \u00e5)".encode())},
     cmds=ALL, message="expected UTF-8 text")
case("invalid_utf8", "groups_header_ff", 65, "groups.csv:1:4",
     files={"groups.csv": raw_replace("groups.csv", b"id,name", b"id,\xffname")},
     cmds=ALL, message="expected UTF-8 text, found byte 0xFF")
case("invalid_utf8", "answers_lone_continuation", 65, "answers.csv:3:6",
     # 0x81: a lone continuation byte, and undefined in Windows-1252 too
     files={"answers.csv": raw_replace("answers.csv", b"1103,q_rank,g2,3", b"1103,\x81q_rank,g2,3")},
     cmds=ALL, message="expected UTF-8 text")
case("invalid_utf8", "register_overlong", 65, "register.csv:2:3",
     files={"register.csv": raw_replace("register.csv", b"1,3403,g1", b"1,\xc0\xaf3403,g1")},
     cmds=SIM, message="expected UTF-8 text")
case("invalid_utf8", "headcounts_surrogate", 65, "headcounts.csv:4:6",
     files={"headcounts.csv": raw_replace("headcounts.csv", b"1103,g3,", b"1103,\xed\xa0\x80g3,")},
     cmds=ALL, message="expected UTF-8 text")
case("invalid_utf8", "options_truncated_sequence", 65, "options.csv:2:11",
     files={"options.csv": raw_replace("options.csv", b"q_rank,g1,Sykepleiere", b"q_rank,g1,\xe2\x82Sykepleiere")},
     cmds=ALL, message="expected UTF-8 text")
case("invalid_utf8", "guarantee_f5", 65, "guarantee.csv:2:4",
     files={"guarantee.csv": raw_replace("guarantee.csv", b"g1,0,540000", b"g1,\xf5\x80\x80\x800,540000")},
     cmds=SIM, message="expected UTF-8 text")

# ---------------------------------------------------------------- line ends --------------
for f in CSVS:
    ls = lines(f)
    # CR alone after every line: the first one ends the header
    case("line_ends", f[:-4] + "_cr_only", 65, "%s:1:%d" % (f, len(ls[0]) + 1),
         files={f: join(ls, "\r")}, cmds=cmds_for(f),
         message="expected a line end LF or CR LF, found a carriage return alone")
for f, r in [("answers.csv", 40), ("register.csv", 17), ("headcounts.csv", 30)]:
    ls = lines(f)
    # LF line ends, CRLF in the first half, and one CR alone at the end of line r
    text = "".join(l + ("\r\n" if i < r - 2 else "\r" if i == r - 1 else "\n")
                   for i, l in enumerate(ls))
    case("line_ends", f[:-4] + "_mixed_bare_cr", 65, "%s:%d:%d" % (f, r, len(ls[r - 1]) + 1),
         files={f: text.encode()}, cmds=cmds_for(f),
         message="expected a line end LF or CR LF, found a carriage return alone")
ls = lines("answers.csv")
ls[4] = ls[4] + "\r" + ls[5]
del ls[5]
case("line_ends", "answers_cr_inside_line", 65, "answers.csv:5:%d" % (len(lines("answers.csv")[4]) + 1),
     files={"answers.csv": join(ls)}, cmds=ALL,
     message="expected a line end LF or CR LF, found a carriage return alone")

# ---------------------------------------------------------------- 1 MB fields ------------
MB = 1 << 20
case("big_fields", "answers_option", 65, "answers.csv:7:%d" % col(lines("answers.csv")[6], 2), cmds=ALL,
     big=["answers.csv", 7, 2, MB, "x"], message="option")
case("big_fields", "answers_value", 65, "answers.csv:9:%d" % col(lines("answers.csv")[8], 3), cmds=ALL,
     big=["answers.csv", 9, 3, MB, "9"], message="value: expected a number")
case("big_fields", "register_salary", 65, "register.csv:10:%d" % col(lines("register.csv")[9], 5),
     cmds=SIM, big=["register.csv", 10, 5, MB, "7"], message="annual_salary: expected a whole number")
case("big_fields", "headcounts_group", 65, "headcounts.csv:5:6", cmds=ALL,
     big=["headcounts.csv", 5, 1, MB, "g"], message="expected a group id from groups.csv")
case("big_fields", "respondents_kind", 65, "respondents.csv:11:%d" % col(lines("respondents.csv")[10], 2),
     cmds=ALL, big=["respondents.csv", 11, 2, MB, "k"], message="kind")
# inih reads lines of at most 198 bytes (Debian's INI_MAX_LINE of 200 with the line end and
# NUL); the first byte past them is column 199.
case("big_fields", "scenario_theta", 65, "scenario.ini:14:199", cmds=SIM,
     big=["scenario.ini", 14, None, MB, "5"], message="expected a line of at most 198 bytes")
case("big_fields", "header_name", 65, "groups.csv:1:1", cmds=ALL,
     big=["groups.csv", 1, 2, MB, "c"], message="expected a header row shorter than")

# ---------------------------------------------------------------- scenario syntax --------
def scen(name, lineno, text, where_col, message, cat="scenario_syntax", status=65, cmds=SIM):
    case(cat, name, status, "scenario.ini:%d:%d" % (lineno, where_col) if where_col else
         "scenario.ini:%d" % lineno, files={"scenario.ini": with_line("scenario.ini", lineno, text)},
         cmds=cmds, message=message)


scen("section_without_bracket", 12, "[settlement", 1, "expected '\\[section\\]', 'key = value'")
scen("line_without_equals", 14, "theta 0.5", 1, "expected '\\[section\\]', 'key = value'")
scen("empty_value", 14, "theta =", 8, "expected a number theta")
scen("duplicate_key", 15, "theta = 0.7", 1, "expected each key once, found 'theta' in \\[settlement\\] again")
scen("unknown_section", 27, "[weights]", 1, "expected a known section")
scen("empty_section_name", 4, "[]", 1, "expected a known section")
scen("key_before_any_section", 1, "frame_pct = 5", 1, "expected a known section")
scen("bad_list", 20, "floors = g1 2, g2:2", 10, "expected items GROUP:PCT separated by commas")
scen("bad_distribution", 37, "glidning_pct = normal(0.6 0.3)", 16, "normal")
scen("bad_range", 30, "theta = 0:1:0", 9, "expected a range from:to:step with step > 0")
scen("bool_not_yes_no", 44, "enabled = maybe", 11, "expected yes or no, found 'maybe'")
scen("month_fraction", 18, "local_month = 10.5", 15, "expected a month from 1 to 12, found '10.5'")
scen("named_no_month", 19, "named = l1:4.1", 9, "expected items GROUP:PCT@MONTH")
scen("named_month_huge", 19, "named = l1:4.1@1e300", 9, "expected items GROUP:PCT@MONTH")
scen("named_month_text", 19, "named = l1:4.1@mai", 9, "expected items GROUP:PCT@MONTH")
scen("long_comment_then_error", 22, "; " + "k" * 5000 + "\n[sweeps]\ntheta = 0, x", 9,
     "theta", )
cases[-1]["where"] = "scenario.ini:24:9"
scen("seed_fraction", 48, "seed = 1.5", 8, "expected a whole number seed")

# ---------------------------------------------------------------- unknown keys -----------
scen("frame_foo", 8, "frame = 5.2", 1, "expected a key of \\[frame\\], found 'frame'", cat="unknown_keys")
scen("settlement_rul", 13, "rul = priority", 1, "expected a key of \\[settlement\\], found 'rul'", cat="unknown_keys")
scen("run_sed", 48, "sed = 11", 1, "expected a key of \\[run\\], found 'sed'", cat="unknown_keys")
scen("weighting_weight", 24, "weight = employees", 1, "expected a key of \\[weighting\\], found 'weight'", cat="unknown_keys")
scen("model_directory", 5, "directory = .", 1, "expected a key of \\[model\\], found 'directory'", cat="unknown_keys")
scen("uncertainty_indented_key", 41, "  draws = 200", 3, "", cat="unknown_keys")
cases[-1]["note"] = "an indented line continues the previous key's list"
cases.pop()

# ---------------------------------------------------------------- out of range -----------
def oor(name, lineno, text, c, message):
    scen(name, lineno, text, c, message, cat="out_of_range")


oor("frame_2000", 7, "frame_pct = 2000", 13, "frame")
oor("overheng_minus_200", 8, "overheng_pct = -200", 16, "carry-over")
oor("price_minus_100", 10, "price_forecast_pct = -100", 22, "above -100")
oor("theta_1000", 14, "theta = 1000", 9, "theta")
oor("local_pot_150", 17, "local_pot_pct = 150", 17, "local pot")
oor("local_month_13", 18, "local_month = 13", 15, "month from 1 to 12")
oor("central_month_0", 15, "covered = chapter:4\ncentral_month = 0", 17, "month from 1 to 12")
cases[-1]["where"] = "scenario.ini:16:17"
oor("bootstrap_negative", 27, "bootstrap = -1", 13, "draws from 0 to 1000000")
oor("draws_huge", 36, "draws = 1e12", 9, "draws")
oor("seed_negative", 48, "seed = -1", 8, "seed")
oor("frame_1e400", 7, "frame_pct = 1e400", 13, "frame")
oor("theta_nan", 14, "theta = nan", 9, "theta")
oor("caps_negative", 21, "caps = g1:6, g2:-6, g3:6", 8, "caps: group 'g2': expected a percentage from 0 to 1000")
oor("floors_above_caps", 20, "floors = g1:2, g2:6.5, g3:2", 10, "floors: group 'g2': expected a floor at most its cap")
oor("named_2000", 19, "named = l1:2000@5", 9, "named: group 'l1': expected a percentage from 0 to 1000")
oor("named_unknown_group", 19, "named = zz:4@5", 9, "named: expected a group of")
oor("floors_unknown_group", 20, "floors = g1:2, g4:2", 10, "floors: expected a group of")
oor("covered_unknown_group", 15, "covered = g1, g9", 11, "covered: expected group ids")
oor("covered_no_chapter", 15, "covered = chapter:9", 11, "covered: expected at least one covered group")
oor("weights_unknown", 24, "weights = heads", 11, "expected a size measure")
oor("poststrata_unknown_column", 25, "poststrata = fylke", 14, "poststrata: expected a grouping column")
oor("lang_xx", 48, "seed = 11\n[output]\nlang = xx", 8, "expected en or nb, found 'xx'")
cases[-1]["where"] = "scenario.ini:50:8"
oor("krone_share_2", 14, "theta = 0.5\nkrone_share = 2", 15, "krone share from 0 to 1")
cases[-1]["where"] = "scenario.ini:15:15"
oor("rule_unknown", 13, "rule = fair", 8, "rule")

# ---------------------------------------------------------------- impossible frames ------
scen("frame_below_carry_over", 7, "frame_pct = 2", 13, "the room is negative",
     cat="impossible_frames", status=1, cmds="simulate")
scen("caps_below_room", 21, "caps = g1:2.1, g2:2.1, g3:2.1", 13, "caps allow at most",
     cat="impossible_frames", status=1, cmds="simulate")
cases[-1]["where"] = "scenario.ini:7:13"
scen("floors_above_room", 20, "floors = g1:5, g2:5, g3:5", 13, "floors",
     cat="impossible_frames", status=1, cmds="simulate")
cases[-1]["where"] = "scenario.ini:7:13"
scen("named_above_room", 19, "named = l1:60@1", 13, "fixed elements already cost",
     cat="impossible_frames", status=1, cmds="simulate")
cases[-1]["where"] = "scenario.ini:7:13"

# ---------------------------------------------------------------- empty strata, groups ---
# every member has 0 employees: nothing to weight by
ls = lines("respondents.csv")
ls = [ls[0]] + [",".join(p if i != 5 else "0" for i, p in enumerate(l.split(","))) for l in ls[1:]]
case("empty_strata", "all_employees_zero", 65, "respondents.csv:2", files={"respondents.csv": join(ls)},
     cmds=ALL, message="employees: expected a size above 0 for at least one member")
ls = lines("headcounts.csv")
ls = [ls[0]] + [",".join(l.split(",")[:2] + ["0"]) for l in ls[1:]]
case("empty_strata", "all_headcounts_zero", 65, "headcounts.csv:2:%d" % col(lines("headcounts.csv")[1], 2),
     files={"headcounts.csv": join(ls)}, cmds=ALL,
     message="expected a headcount above 0 in some row, found 0 in every row")
ls = [l for l in lines("headcounts.csv") if not l.startswith("4601,")]
case("empty_strata", "answering_member_without_headcounts", 65, "headcounts.csv:35:1",
     files={"headcounts.csv": join(ls)}, cmds=ALL, message="expected rows for member '4601', which answered")
# members that answered all weigh 0 (the others do not): every estimate would be blank
answered = {l.split(",")[0] for l in lines("answers.csv")[1:]}
ls = lines("respondents.csv")
ls = [ls[0]] + [",".join(p if i != 5 or l.split(",")[0] not in answered else "0"
                         for i, p in enumerate(l.split(","))) for l in ls[1:]]
case("empty_strata", "answering_members_employees_zero", 65, "respondents.csv:2",
     files={"respondents.csv": join(ls)}, cmds=ALL,
     message="employees: expected a weight above 0 for at least one member that answered")
ls = lines("headcounts.csv")
ls = [ls[0]] + [",".join(l.split(",")[:2] + ["0"]) if l.split(",")[0] in answered else l
                for l in ls[1:]]
case("empty_strata", "answering_members_headcounts_zero", 65, "headcounts.csv",
     files={"headcounts.csv": join(ls)}, cmds=ALL,
     message="expected a headcount above 0 for at least one member that answered")
# a question every member skipped leaves nothing to rank: answers only to q_form
ls = lines("respondents.csv")
case("empty_strata", "register_without_covered_groups", 65, "register.csv:2:1",
     files={"register.csv": join([l for l in lines("register.csv") if ",l1," in l or l.startswith("id,")])},
     cmds=SIM, message="covered")
cases.pop()

# ---------------------------------------------------------------- write ---------------------
def write():
    for d in os.listdir(HERE):
        p = os.path.join(HERE, d)
        if os.path.isdir(p):
            shutil.rmtree(p)
    seen = set()
    for c in cases:
        key = (c["cat"], c["name"])
        assert key not in seen, key
        seen.add(key)
        d = os.path.join(HERE, c["cat"], c["name"])
        os.makedirs(d)
        for fname, data in c["files"].items():
            with open(os.path.join(d, fname), "wb") as f:
                f.write(data)
        cmds = c["cmds"] or ALL
        with open(os.path.join(d, "expect"), "w") as f:
            if c["note"]:
                f.write("# %s\n" % c["note"])
            f.write("commands: %s\n" % cmds)
            f.write("status: %d\n" % c["status"])
            f.write("where: %s\n" % c["where"])
            if c["message"]:
                f.write("message: %s\n" % c["message"])
            for x in c["delete"]:
                f.write("delete: %s\n" % x)
            if c.get("mkdir"):
                f.write("mkdir: %s\n" % c["mkdir"])
            if c.get("scenario"):
                f.write("scenario: %s\n" % c["scenario"])
            if c["big"]:
                fname, line, field, size, ch = c["big"]
                f.write("big: %s %d %s %d %s\n" % (fname, line, "-" if field is None else field,
                                                   size, ch))
    return len(cases)


if __name__ == "__main__":
    n = write()
    print("%d cases" % n, file=sys.stderr)
