#!/usr/bin/env python3
"""Compares two runs' per-round medians, before and after a change.

    python3 benches/compare.py BEFORE.jsonl AFTER.jsonl [RENAME=NEW ...]

Each file is a runner's `target/criterion/paired-rounds.jsonl`. Prints, per case, kata's
median before and after and the change, and kata/sqlx before and after (a ratio from the
same rounds, so it holds up under load that comes and goes). RENAME=NEW maps a workload
renamed between the runs (`insert=insert_returning`: the old `insert` read the keys back).
"""

import json
import sys


def load(path):
    cases = {}
    for line in open(path, encoding="utf-8"):
        case = json.loads(line)
        if not any(case["median_ns"].values()):
            continue  # a case the run's filter left out
        cases[(case["workload"], case["backend"], case["size"])] = case["median_ns"]
    return cases


def fmt(ns):
    for unit, scale in (("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


before, after = load(sys.argv[1]), load(sys.argv[2])
renames = dict(arg.split("=", 1) for arg in sys.argv[3:])
print("| workload | backend | size | kata before | kata after | change | kata/sqlx before | kata/sqlx after |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for (workload, backend, size), old in before.items():
    new = after.get((renames.get(workload, workload), backend, size))
    if new is None:
        continue
    for name in sorted((k for k in old if k.startswith("kata") and k in new), reverse=True):
        label = workload if name == "kata" else f"{workload} ({name.removeprefix('kata_')})"
        change = new[name] / old[name] - 1
        print(
            f"| {label} | {backend} | {size:,} | {fmt(old[name])} | {fmt(new[name])} | {change:+.1%} "
            f"| {old[name] / old['sqlx']:.2f} | {new[name] / new['sqlx']:.2f} |"
        )
