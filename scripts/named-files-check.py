#!/usr/bin/env python3
"""Checks that a file named on the command line (the pre-commit path) gets the findings that a
scan of the whole directory reports on it, that is, those with any location in that file.

    scripts/named-files-check.py IDLINT DIR [PREFIX...]
        names every .json / .tf / .tf.json / terraform.tfvars / *.auto.tfvars file under DIR
        (or under DIR/PREFIX for each PREFIX) alone, on all cores, and prints each file whose
        findings differ, then the count per front end.

A named file loads its Terraform module's callers (stop 27) and its ARM template's linking
templates when they sit near it; a difference is expected where a caller is too far away to be
looked for, or where two callers deploy one file (see BENCHMARKS.md, "The whole corpus").
"""
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor


def findings(idlint, target):
    out = subprocess.run(
        [idlint, "check", target, "--format", "json", "--fail-on", "never", "--no-config"],
        check=True,
        capture_output=True,
    ).stdout
    return json.loads(out)["findings"]


def key(finding):
    path = os.path.realpath(finding["path"])
    return (finding["rule"], path, finding["line"], finding["column"], finding["message"])


def scanned(name):
    return name.endswith((".json", ".tf")) or name == "terraform.tfvars" or name.endswith(".auto.tfvars")


def main():
    idlint, root = os.path.realpath(sys.argv[1]), os.path.realpath(sys.argv[2])
    prefixes = sys.argv[3:] or [""]
    by_file = {}
    for finding in findings(idlint, root):
        for location in [finding] + finding.get("labels", []):
            by_file.setdefault(os.path.realpath(location["path"]), set()).add(key(finding))
    files = sorted(
        os.path.join(d, name)
        for prefix in prefixes
        for d, _, names in os.walk(os.path.join(root, prefix))
        for name in names
        if scanned(name)
    )
    with ThreadPoolExecutor(os.cpu_count()) as pool:
        alone = pool.map(lambda f: {key(x) for x in findings(idlint, f)}, files)
        differ = {"json": 0, "terraform": 0}
        for path, named in zip(files, alone):
            full = by_file.get(path, set())
            if named != full:
                differ["json" if path.endswith(".json") else "terraform"] += 1
                print(f"{path}: only named {sorted(named - full)}, only in the scan {sorted(full - named)}")
    print(f"{len(files)} files named alone; differing: {differ}")


if __name__ == "__main__":
    main()
