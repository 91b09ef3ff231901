#!/usr/bin/env python3
"""Runs two commands in alternating pairs (A B, B A, ...) after one warm-up each.

    scripts/compare.py ROUNDS DIR BINARY_A BINARY_B [idlint check options, e.g. --threads 1]
        two idlint builds on one directory: medians of wall and CPU (user + sys) time of each,
        and the median of the per-pair ratios B/A
    scripts/compare.py --ratio ROUNDS "COMMAND A" "COMMAND B"
        any two commands (bench.sh): prints the median, min and max of the wall ratios A/B

On a VM whose speed drifts in spells, the pair ratio is the figure to trust: both sides of a pair
run in the same spell. Instruction counts (callgrind) are no substitute: a per-thread expression
cache once saved 5 % of them and cost 14 % more CPU time.
"""
import resource
import statistics
import subprocess
import sys
import time


def run(command):
    """Wall and CPU (user + sys) seconds of one run of `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def pairs(a, b, rounds):
    """(times of A, times of B) for each round, the order alternating from round to round."""
    run(a), run(b)
    out = []
    for i in range(rounds):
        if i % 2 == 0:
            ta, tb = run(a), run(b)
        else:
            tb, ta = run(b), run(a)
        print(f"{ta[0]:.3f} s / {tb[0]:.3f} s = {ta[0] / tb[0]:.2f}x", file=sys.stderr)
        out.append((ta, tb))
    return out


def main():
    if sys.argv[1] == "--ratio":
        rounds, a, b = int(sys.argv[2]), sys.argv[3].split(), sys.argv[4].split()
        ratios = [ta[0] / tb[0] for ta, tb in pairs(a, b, rounds)]
        print(f"{statistics.median(ratios):.3f} {min(ratios):.3f} {max(ratios):.3f}")
        return
    rounds, directory, a, b = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    check = ["check", directory, "--format", "compact", "--fail-on", "never", "--no-config",
             "--output", "/dev/null", *sys.argv[5:]]
    times = pairs([a, *check], [b, *check], rounds)
    for k, name in ((0, "wall"), (1, "cpu")):
        ta = [t[0][k] for t in times]
        tb = [t[1][k] for t in times]
        ratio = statistics.median(y / x for x, y in zip(ta, tb))
        print(f"{name}: A median {statistics.median(ta):.3f} s, B median "
              f"{statistics.median(tb):.3f} s, B/A median of pairs {ratio:.3f}")


main()
