#!/usr/bin/env python3
"""Compares two idlint binaries on one directory in alternating pairs (A B, B A, ...).

    scripts/compare.py ROUNDS DIR BINARY_A BINARY_B [idlint check options, e.g. --threads 1]

Prints the medians of wall and CPU (user + sys) time of each, and the median of the per-pair
ratios B/A. On a VM whose speed drifts in spells, the pair ratio is the figure to trust: both
sides of a pair run in the same spell. Instruction counts (callgrind) are no substitute: a
per-thread expression cache once saved 5 % of them and cost 14 % more CPU time.
"""
import resource
import statistics
import subprocess
import sys
import time


def run(binary, directory, options):
    command = [binary, "check", directory, "--format", "compact", "--fail-on", "never",
               "--no-config", "--output", "/dev/null", *options]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    rounds, directory, a, b = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    options = sys.argv[5:]
    run(a, directory, options), run(b, directory, options)  # warm-up
    pairs = []
    for i in range(rounds):
        order = (a, b) if i % 2 == 0 else (b, a)
        times = {binary: run(binary, directory, options) for binary in order}
        pairs.append((times[a], times[b]))
    for k, name in ((0, "wall"), (1, "cpu")):
        ta = [p[0][k] for p in pairs]
        tb = [p[1][k] for p in pairs]
        ratio = statistics.median(y / x for x, y in zip(ta, tb))
        print(f"{name}: A median {statistics.median(ta):.3f} s, B median "
              f"{statistics.median(tb):.3f} s, B/A median of pairs {ratio:.3f}")


main()
