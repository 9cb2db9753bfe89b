#!/usr/bin/env python3
"""Allocation-failure sweep: fails each allocation of a command in turn (tests/fault/
fail_alloc.c, in mandat_fault only) and checks that every run ends cleanly.

For each command it counts the allocations of a run without failures, then runs it again
with the 1st, 2nd, ... allocation failing (every one for aggregate and simulate; every
STRIDE-th for run, every one with --run-stride 1 as ctest runs it). Each run must either

  * exit 70 saying 'out of memory', with its outputs as they were before (the sentinel
    files and result folder unchanged, no temporary folder left beside it), or
  * exit 0 with the same outputs as the run without failures (a failure the program can do
    without, such as giving back over-allocated memory),

and never crash, hang, leak or trip a sanitizer (the test build has ASan and UBSan, whose
reports make the exit status neither 0 nor 70). A second pass over aggregate keeps failing
every allocation from the Nth on ('aggregate-on'), so that a retry with less memory fails
too (libcsv retries a failed growth with a smaller one): that must end in 'out of memory'
as well, never in a parse error such as a stray quote.

Usage: sweep.py --mandat PATH_TO_mandat_fault [--jobs N] [--run-stride K] [--only NAME]
"""
import argparse
import concurrent.futures
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MINI = os.path.normpath(os.path.join(HERE, "..", "fixtures", "mini"))
SMALL = os.path.normpath(os.path.join(HERE, "..", "fixtures", "small"))


def commands(out):
    return {
        "aggregate": ["aggregate", "--model", MINI, "--bootstrap", "20", "--by-group",
                      "--poststrata", "region", "--threads", "1", "--format", "csv", "--out",
                      os.path.join(out, "agg.csv"), "--quiet"],
        "simulate": ["simulate", "--model", SMALL, "--threads", "1", "--format", "csv",
                     "--out", os.path.join(out, "sim.csv"), "--guarantee-out",
                     os.path.join(out, "g.csv"), "--quiet"],
        "run": ["run", os.path.join(SMALL, "scenario.ini"), "--out", os.path.join(out, "res"),
                "--threads", "1", "--quiet"],
    }


def snapshot(root):
    state = {}
    for d, dirs, files in os.walk(root):
        for name in dirs + files:
            p = os.path.join(d, name)
            h = ""
            if os.path.isfile(p):
                with open(p, "rb") as f:
                    h = hashlib.sha256(f.read()).hexdigest()
            state[os.path.relpath(p, root)] = h
    return state


def prepare(out):
    os.makedirs(os.path.join(out, "res"))
    for name in ("agg.csv", "sim.csv", "g.csv", os.path.join("res", "settlement.csv")):
        with open(os.path.join(out, name), "w") as f:
            f.write("sentinel: an earlier result\n")


# Files whose bytes depend on the moment of the run (the manifest's and workbook's times).
VOLATILE = ("manifest.json", "report.xlsx")


def comparable(state):
    return {k: ("" if os.path.basename(k) in VOLATILE else v) for k, v in state.items()}


def one(mandat, name, n, on=False):
    tmp = tempfile.mkdtemp(prefix="mdt-fault-")
    try:
        out = os.path.join(tmp, "out")
        prepare(out)
        before = snapshot(tmp)
        env = dict(os.environ)
        env.pop("MDT_ALLOC_COUNT_FILE", None)
        if n:
            env["MDT_FAIL_ALLOC"] = str(n)
        if on:
            env["MDT_FAIL_ALLOC_ON"] = "1"
        count_file = os.path.join(tmp, "count")
        env["MDT_ALLOC_COUNT_FILE"] = count_file
        try:
            p = subprocess.run([mandat] + commands(out)[name], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=120)
        except subprocess.TimeoutExpired:
            return n, None, "timed out", None, None
        count = None  # a crashed run writes no count
        if os.path.exists(count_file):
            with open(count_file) as f:
                count = int(f.read())
            os.remove(count_file)
        after = snapshot(tmp)
        return n, p.returncode, p.stderr.decode("utf-8", "replace"), (before, after), count
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mandat", required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--run-stride", type=int, default=5)
    ap.add_argument("--only")
    a = ap.parse_args()
    failures = 0
    report = []
    for pass_name in ("aggregate", "aggregate-on", "simulate", "run"):
        if a.only and pass_name != a.only:
            continue
        name = pass_name.split("-")[0]
        on = pass_name.endswith("-on")
        _, rc, err, (before, ref), total = one(a.mandat, name, 0)
        if rc != 0:
            print("FAIL %s: the run without failures exited %d: %s" % (name, rc, err[:500]))
            return 1
        stride = a.run_stride if name == "run" else 1
        steps = list(range(1, total + 1, stride))
        with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
            results = list(ex.map(lambda n: one(a.mandat, name, n, on), steps))
        bad = 0
        outcomes = {"oom": 0, "ok": 0}
        for n, rc, err, states, _ in results:
            problem = None
            if rc is None:
                problem = "timed out"
            elif "Sanitizer" in err or "runtime error" in err:
                problem = "sanitizer report"
            elif rc == 70:
                if "out of memory" not in err:
                    problem = "exit 70 without 'out of memory'"
                elif states[1] != states[0]:
                    problem = "output created or changed: %s" % sorted(
                        k for k in set(states[0]) | set(states[1])
                        if states[0].get(k) != states[1].get(k))[:6]
                else:
                    outcomes["oom"] += 1
            elif rc == 0:
                if comparable(states[1]) != comparable(ref):
                    problem = "exit 0 with outputs that differ from the run without failures"
                else:
                    outcomes["ok"] += 1
            else:
                problem = ("killed by signal %d" % -rc) if rc < 0 else ("exit status %d" % rc)
            if problem:
                bad += 1
                if bad <= 15:
                    print("FAIL %s, allocation %d of %d: %s: %s" %
                          (pass_name, n, total, problem, err.strip()[-700:]))
        failures += bad
        report.append("%s: %d allocations, %d failed in turn (every %s%s), %d ended 'out "
                      "of memory' (70), %d did without it (0), %d problems" %
                      (pass_name, total, len(steps), "one" if stride == 1 else "one in %d" % stride,
                       ", and all after it" if on else "", outcomes["oom"], outcomes["ok"],
                       bad))
    print("\n".join(report))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
