#!/usr/bin/env python3
"""Checks every input of a fuzz corpus with the release binary, one process each, and prints the
slowest: a hang or a slow path that the fuzzer's own timing (ASan, a busy VM) would hide.

    scripts/slowest-inputs.py IDLINT CORPUS_DIR arm|hcl

An `arm` input is written as `template.json`; an `hcl` input as `main.tf.json` when it starts
with `{` (as the `hcl` fuzz target decides), else as `main.tf`. A run that exits with anything
but 0 or 1 (a panic exits with 101) is printed.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time


def main():
    idlint, corpus, kind = sys.argv[1:4]
    times = []
    with tempfile.TemporaryDirectory() as scratch:
        for name in sorted(os.listdir(corpus)):
            with open(os.path.join(corpus, name), "rb") as f:
                data = f.read()
            if kind == "arm":
                target = "template.json"
            else:
                target = "main.tf.json" if data.lstrip().startswith(b"{") else "main.tf"
            work = os.path.join(scratch, "input")
            shutil.rmtree(work, ignore_errors=True)
            os.makedirs(work)
            with open(os.path.join(work, target), "wb") as f:
                f.write(data)
            started = time.perf_counter()
            run = subprocess.run(
                [idlint, "check", work, "--format", "json", "--no-config", "--fail-on", "never"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            elapsed = time.perf_counter() - started
            if run.returncode not in (0, 1):
                print(f"exit {run.returncode}: {name}: {run.stderr[:200]!r}")
            times.append((elapsed, name, len(data)))
    times.sort(reverse=True)
    median = times[len(times) // 2][0]
    print(f"{kind}: {len(times)} inputs, median {1000 * median:.1f} ms; slowest:")
    for elapsed, name, size in times[:5]:
        print(f"  {1000 * elapsed:.1f} ms  {name}  ({size} bytes)")


if __name__ == "__main__":
    main()
