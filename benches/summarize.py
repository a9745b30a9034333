#!/usr/bin/env python3
"""Prints a run's medians as the Markdown table of benches/README.md.

    python3 benches/summarize.py [PATH] [BASELINE]

PATH is the runner's per-round medians, `.../target/criterion/paired-rounds.jsonl` (what
the README's table comes from: every implementation timed in the same rounds), or a
criterion directory such as `target/criterion` (criterion's own medians of BASELINE,
default "new", which come from different stretches of time for each implementation).
Ratios are kata's median over the other's: below 1.00 kata is faster.
"""

import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")
baseline = sys.argv[2] if len(sys.argv) > 2 else "new"

WORKLOADS = ["trivial_query", "medium_complex_query", "insert", "insert_returning", "loading_associations"]
BACKENDS = ["sqlite", "postgres", "mysql"]


def fmt(ns):
    if ns is None:
        return "-"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def ratio(a, b):
    # A baseline with no time (or none measured) has no ratio.
    return "-" if a is None or not b else f"{a / b:.2f}"


# medians[(workload, backend, size)][implementation] = median in ns
medians = {}
if root.is_file():
    # The per-round medians the runner writes (target/criterion/paired-rounds.jsonl).
    for line in root.read_text().splitlines():
        case = json.loads(line)
        if not any(case["median_ns"].values()):
            continue  # a case the run's filter left out
        medians[(case["workload"], case["backend"], case["size"])] = case["median_ns"]
for bench in [] if root.is_file() else root.glob(f"*/*/*/{baseline}/benchmark.json"):
    meta = json.loads(bench.read_text())
    group = meta["group_id"]  # e.g. trivial_query/sqlite
    workload, _, backend = group.partition("/")
    implementation = meta["function_id"]
    size = int(meta["value_str"])
    estimates = json.loads((bench.parent / "estimates.json").read_text())
    medians.setdefault((workload, backend, size), {})[implementation] = estimates["median"]["point_estimate"]


def peer_of(row):
    return next((v for k, v in row.items() if k.startswith("sea_orm")), None)


has_peer = any(peer_of(row) is not None for row in medians.values())
header = "| workload | backend | size | kata | sqlx | kata/sqlx |"
rule = "|---|---|---:|---:|---:|---:|"
if has_peer:
    header += " SeaORM | kata/SeaORM |"
    rule += "---:|---:|"
print(header)
print(rule)
for workload in WORKLOADS:
    for backend in BACKENDS:
        for (w, b, size), row in sorted(medians.items(), key=lambda kv: kv[0][2]):
            if (w, b) != (workload, backend):
                continue
            peer = peer_of(row)
            # One line per kata variant (loading_associations has two) and per sqlx
            # baseline (SQLite's insert has diesel_bench's and the one-statement one).
            baselines = sorted(k for k in row if k.startswith("sqlx"))
            for name in sorted((k for k in row if k.startswith("kata")), reverse=True):
                for base in baselines:
                    kata, sqlx = row[name], row[base]
                    label = workload if name == "kata" else f"{workload} ({name.removeprefix('kata_')})"
                    if base != "sqlx":
                        label += f" vs {base}"
                    line = f"| {label} | {backend} | {size:,} | {fmt(kata)} | {fmt(sqlx)} | {ratio(kata, sqlx)} |"
                    if has_peer:
                        line += f" {fmt(peer)} | {ratio(kata, peer)} |"
                    print(line)
