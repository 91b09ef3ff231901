#!/usr/bin/env bash
# The benchmarks of BENCHMARKS.md. Needs hyperfine (apt-get install hyperfine) and GNU time.
#   scripts/bench.sh [CORPUS]       (default ../shared/corpus)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=$(realpath "${1:-../shared/corpus}")
cargo build --release --quiet --bin idlint --example parse_floor
idlint=$PWD/target/release/idlint
floor=$PWD/target/release/examples/parse_floor
runs=${RUNS:-5}

echo "## (a) full scan and (b) parse-only floor: $corpus"
hyperfine --warmup 1 --runs "$runs" -i --export-markdown /dev/stdout \
  -n "idlint check" "$idlint check $corpus --format compact --fail-on never --output /dev/null" \
  -n "parse-only floor" "$floor $corpus"
for target in "$corpus" "$corpus/terraform" "$corpus/arm"; do
  /usr/bin/time -f "peak RSS %M KB, %e s: idlint check $target" \
    "$idlint" check "$target" --format compact --fail-on never --output /dev/null
done

echo "## (c) pre-commit path: one file in the CAF module tree, named on the command line"
file=$corpus/terraform/Azure/terraform-azurerm-caf-enterprise-scale/modules/connectivity/locals.tf
hyperfine --warmup 3 --runs 20 -i --export-markdown /dev/stdout \
  -n "one named file" "$idlint check $file --fail-on never --output /dev/null"

echo "## (d) scaling: the corpus copied 2x and 4x"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for n in 1 2 4; do
  mkdir -p "$scratch/x$n"
  for i in $(seq 1 "$n"); do cp -r "$corpus" "$scratch/x$n/copy$i"; done
done
hyperfine --warmup 1 --runs "$runs" -i --export-markdown /dev/stdout \
  -n "1x" "$idlint check $scratch/x1 --format compact --fail-on never --output /dev/null" \
  -n "2x" "$idlint check $scratch/x2 --format compact --fail-on never --output /dev/null" \
  -n "4x" "$idlint check $scratch/x4 --format compact --fail-on never --output /dev/null"
/usr/bin/time -f "peak RSS %M KB, %e s: 4x corpus" \
  "$idlint" check "$scratch/x4" --format compact --fail-on never --output /dev/null
