#!/usr/bin/env bash
# Proves the `idlint` hook in .pre-commit-hooks.yaml works as pre-commit runs it: installs
# pre-commit in a throw-away virtualenv, then in a throw-away git repository runs
# `pre-commit try-repo <this repo> idlint --files FILE` on a file idlint must reject and on one it
# must accept. pre-commit's `rust` language builds the hook with `cargo install`, so this needs
# PyPI and crates.io and nothing else. Exits non-zero when an outcome is not the expected one.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
fixtures="$root/testdata/precommit"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check pre-commit
pre_commit="$work/venv/bin/pre-commit"
"$pre_commit" --version

# Keep pre-commit's environments out of the user's cache, and share one cargo target directory
# between the two runs: try-repo may build the hook twice (once per shadow copy of a dirty tree).
export PRE_COMMIT_HOME="$work/pre-commit-home"
export CARGO_TARGET_DIR="$work/target"

repo="$work/repo"
mkdir -p "$repo/bad" "$repo/good"
cp "$fixtures/privileged.tf" "$repo/bad/main.tf"
cp "$fixtures/valid.tf" "$repo/good/main.tf"
cd "$repo"
git init --quiet
git add bad/main.tf good/main.tf

failures=0
# expect pass|fail FILE
expect() {
    local expected="$1" file="$2" got log="$work/$(echo "$2" | tr / _).log"
    if "$pre_commit" try-repo "$root" idlint --files "$file" >"$log" 2>&1; then
        got=pass
    else
        got=fail
    fi
    if [[ "$got" == "$expected" ]]; then
        echo "ok: $file: hook ${got}ed as expected"
    else
        echo "MISMATCH: $file: expected the hook to $expected, it ${got}ed; pre-commit said:"
        sed 's/^/    /' "$log"
        failures=$((failures + 1))
    fi
    if [[ "$expected" == fail ]] && ! grep -q "AZ301" "$log"; then
        echo "MISMATCH: $file: the hook's output does not name AZ301:"
        sed 's/^/    /' "$log"
        failures=$((failures + 1))
    fi
}

expect fail bad/main.tf
expect pass good/main.tf

if ((failures > 0)); then
    echo "pre-commit check: $failures mismatch(es)"
    exit 1
fi
echo "pre-commit check: the hook rejects the bad file and accepts the good one"
