#!/usr/bin/env python3
"""Runs the bad-input corpus: every tests/bad/<category>/<case>/.

A case is the base fixture (tests/fixtures/small) with the case's files laid over it and an
`expect` file:

    commands: aggregate simulate run   which commands read the broken input
    status: 65                         the exit status each must end with
    where: answers.csv:80:13           the location stderr must give (file[:line[:column]])
    message: REGEX                     (optional) a part of the message
    delete: FILE                       (optional, repeatable) a base file to remove
    mkdir: NAME                        (optional) a folder to create in the model
    scenario: NAME                     (optional) the scenario file (default scenario.ini)
    big: FILE LINE FIELD SIZE CHAR     (optional) field FIELD (0-based; '-' for an INI value)
                                       of line LINE becomes SIZE copies of CHAR, written at
                                       test time so that no large file is committed

Each command runs with its outputs already present (a sentinel file for aggregate's and
simulate's --out, a result folder for run's --out): after it, every file under the case's
folders must be as before (nothing created, changed or left behind, e.g. 'res.tmp-*').

Usage: run.py --mandat PATH [--jobs N] [CATEGORY/CASE ...]
"""
import argparse
import concurrent.futures
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.join(HERE, "..", "fixtures", "small")


def read_expect(path):
    e = {"delete": [], "commands": "aggregate simulate run".split(), "message": None,
         "mkdir": None, "scenario": "scenario.ini", "big": None}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            key, _, value = line.partition(":")
            value = value.strip()
            if key == "commands":
                e["commands"] = value.split()
            elif key == "status":
                e["status"] = int(value)
            elif key == "where":
                e["where"] = value
            elif key == "message":
                e["message"] = value
            elif key == "delete":
                e["delete"].append(value)
            elif key in ("mkdir", "scenario"):
                e[key] = value
            elif key == "big":
                e["big"] = value.split()
            else:
                raise ValueError("%s: unknown key '%s'" % (path, key))
    for k in ("status", "where"):
        if k not in e:
            raise ValueError("%s: no '%s'" % (path, k))
    return e


def make_big(model, spec):
    fname, line, field, size, ch = spec
    path = os.path.join(model, fname)
    with open(path, "rb") as f:
        ls = f.read().split(b"\n")
    i = int(line) - 1
    big = ch.encode() * int(size)
    if field == "-":
        key, _, _ = ls[i].partition(b"=")
        ls[i] = key + b"= " + big
    else:
        parts = ls[i].split(b",")
        parts[int(field)] = big
        ls[i] = b",".join(parts)
    with open(path, "wb") as f:
        f.write(b"\n".join(ls))


def snapshot(root):
    state = {}
    for d, dirs, files in os.walk(root):
        for name in dirs + files:
            p = os.path.join(d, name)
            st = os.lstat(p)
            h = ""
            if os.path.isfile(p) and not os.path.islink(p):
                with open(p, "rb") as f:
                    h = hashlib.sha256(f.read()).hexdigest()
            state[os.path.relpath(p, root)] = (st.st_mode, h)
    return state


def command(mandat, name, model, out, scenario):
    sc = os.path.join(model, scenario)
    if name == "aggregate":
        return [mandat, "aggregate", "--model", model, "--by-group", "--poststrata", "region",
                "--bootstrap", "5", "--format", "csv", "--out", os.path.join(out, "agg.csv"),
                "--quiet"]
    if name == "simulate":
        return [mandat, "simulate", "--model", model, "--scenario", sc, "--format", "csv",
                "--out", os.path.join(out, "sim.csv"), "--guarantee-out",
                os.path.join(out, "g.csv"), "--quiet"]
    if name == "run":
        return [mandat, "run", sc, "--out", os.path.join(out, "res"), "--quiet"]
    raise ValueError(name)


def run_case(mandat, case_dir):
    e = read_expect(os.path.join(case_dir, "expect"))
    problems = []
    tmp = tempfile.mkdtemp(prefix="mdt-bad-")
    try:
        model = os.path.join(tmp, "m")
        out = os.path.join(tmp, "out")
        shutil.copytree(BASE, model)
        for name in e["delete"]:
            os.remove(os.path.join(model, name))
        for name in os.listdir(case_dir):
            if name != "expect":
                shutil.copyfile(os.path.join(case_dir, name), os.path.join(model, name))
        if e["mkdir"]:
            os.mkdir(os.path.join(model, e["mkdir"]))
        if e["big"]:
            make_big(model, e["big"])
        os.makedirs(os.path.join(out, "res"))
        for name in ("agg.csv", "sim.csv", "g.csv", os.path.join("res", "settlement.csv")):
            with open(os.path.join(out, name), "w") as f:
                f.write("sentinel: an earlier result\n")
        before = snapshot(tmp)
        where = re.escape("/" + e["where"]) + r": "
        for name in e["commands"]:
            argv = command(mandat, name, model, out, e["scenario"])
            try:
                p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   timeout=120)
            except subprocess.TimeoutExpired:
                problems.append("%s: timed out" % name)
                continue
            err = p.stderr.decode("utf-8", "replace")
            short = err.strip()[:400]
            if p.returncode != e["status"]:
                problems.append("%s: exit status %d, expected %d: %s" %
                                (name, p.returncode, e["status"], short))
                continue
            if not re.search(where, err):
                problems.append("%s: no '%s: ' in stderr: %s" % (name, e["where"], short))
            if e["message"] and not re.search(e["message"], err):
                problems.append("%s: message does not match '%s': %s" %
                                (name, e["message"], short))
            if "Sanitizer" in err or "runtime error" in err:
                problems.append("%s: sanitizer report: %s" % (name, short))
        after = snapshot(tmp)
        if after != before:
            changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
            problems.append("files created, changed or removed: %s" % ", ".join(changed[:8]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mandat", required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("cases", nargs="*")
    a = ap.parse_args()
    if a.cases:
        dirs = [os.path.join(HERE, c) for c in a.cases]
    else:
        dirs = sorted(os.path.join(HERE, c, k) for c in os.listdir(HERE)
                      if os.path.isdir(os.path.join(HERE, c))
                      for k in os.listdir(os.path.join(HERE, c)))
    failed = 0
    counts = {}
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        results = list(ex.map(lambda d: (d, run_case(a.mandat, d)), dirs))
    for d, problems in results:
        rel = os.path.relpath(d, HERE)
        cat = rel.split(os.sep)[0]
        counts[cat] = counts.get(cat, 0) + 1
        for p in problems:
            print("FAIL %s: %s" % (rel, p))
        failed += bool(problems)
    print("%d cases in %d categories: %s" % (len(dirs), len(counts),
          ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
    if failed:
        print("%d of %d cases failed" % (failed, len(dirs)))
        return 1
    print("all %d cases passed" % len(dirs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
