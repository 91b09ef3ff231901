#!/usr/bin/env bash
# The benchmarks of BENCHMARKS.md. Needs hyperfine, GNU time (/usr/bin/time) and python3.
#   scripts/bench.sh [CORPUS]       (default ../shared/corpus)
# RUNS=N sets the number of timed runs (default 5). Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=$(realpath "${1:-../shared/corpus}")
cargo build --release --quiet --bin idlint --example parse_floor
idlint=$PWD/target/release/idlint
floor=$PWD/target/release/examples/parse_floor
runs=${RUNS:-5}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
check() { echo "$idlint check $1 --format compact --fail-on never --no-config --output /dev/null"; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "corpus: $corpus, $(du -sb "$corpus" | cut -f1) bytes on disk"

echo "## (a) full scan and (b) parse-only floor (all cores)"
hyperfine --warmup 1 --runs "$runs" --style basic --export-json "$scratch/ab.json" --export-markdown "$scratch/ab.md" \
  -n "idlint check" "$(check "$corpus")" \
  -n "parse-only floor" "$floor $corpus"
cat "$scratch/ab.md"
# paired A B PAIRS: the median, min and max of the ratios A/B over alternating pairs.
paired() { python3 scripts/compare.py --ratio "$3" "$1" "$2"; }
echo "## (a)/(b) paired: scan and floor alternately, 2 x RUNS pairs"
paired "$(check "$corpus")" "$floor $corpus" "$((2 * runs))" > "$scratch/paired"
read -r paired_median paired_min paired_max < "$scratch/paired"
echo "scan / floor, median of pairs: ${paired_median}x (range ${paired_min}-${paired_max}x)"
/usr/bin/time -f "%M %e" -o "$scratch/rss" $(check "$corpus")
read -r rss secs < "$scratch/rss"
echo "peak RSS $((rss / 1024)) MiB, $secs s: idlint check $corpus"

echo "## per front end: scan and parse-only floor on the same files, files per second, peak RSS"
for part in terraform arm; do
  hyperfine --warmup 1 --runs "$runs" --style basic --export-json "$scratch/$part.json" \
    -n "idlint check $part" "$(check "$corpus/$part")" \
    -n "parse-only floor $part" "$floor $corpus/$part" > /dev/null
  files=$("$floor" "$corpus/$part" | cut -d' ' -f1)
  /usr/bin/time -f "%M" -o "$scratch/rss-$part" $(check "$corpus/$part")
  python3 - "$scratch/$part.json" "$files" "$(cat "$scratch/rss-$part")" <<'PY'
import json, sys
results, files, rss_kib = json.load(open(sys.argv[1]))["results"], int(sys.argv[2]), int(sys.argv[3])
scan, floor = results[0]["mean"], results[1]["mean"]
print(f"{results[0]['command']}: {files} files, {scan:.3f} s ({files / scan:,.0f} files/s), "
      f"peak RSS {rss_kib // 1024} MiB; parse-only floor {floor:.3f} s ({scan / floor:.1f}x)")
PY
done

echo "## (c) pre-commit path: one file in the middle of the CAF module tree, named on the command line"
caf=$corpus/terraform/Azure/terraform-azurerm-caf-enterprise-scale/modules
hyperfine --warmup 3 --runs 20 --style basic --export-json "$scratch/c.json" --export-markdown "$scratch/c.md" \
  -n "connectivity/locals.tf" "$(check "$caf/connectivity/locals.tf")" \
  -n "management/main.tf" "$(check "$caf/management/main.tf")"
cat "$scratch/c.md"

echo "## (d) scaling: the corpus copied 1x, 2x and 4x into a temp dir"
for n in 1 2 4; do
  mkdir -p "$scratch/x$n"
  for i in $(seq 1 "$n"); do cp -r "$corpus" "$scratch/x$n/copy$i"; done
done
hyperfine --warmup 1 --runs "$runs" --style basic --export-json "$scratch/d.json" --export-markdown "$scratch/d.md" \
  -n "1x" "$(check "$scratch/x1")" \
  -n "2x" "$(check "$scratch/x2")" \
  -n "4x" "$(check "$scratch/x4")"
cat "$scratch/d.md"
echo "## (d) paired: 4x and 1x alternately, RUNS pairs"
paired "$(check "$scratch/x4")" "$(check "$scratch/x1")" "$runs" > "$scratch/scaling"
read -r scaling_median scaling_min scaling_max < "$scratch/scaling"
echo "4x / 1x, median of pairs: ${scaling_median}x (range ${scaling_min}-${scaling_max}x)"
/usr/bin/time -f "%M" -o "$scratch/rss-4x" $(check "$scratch/x4")
echo "peak RSS 4x: $(( $(cat "$scratch/rss-4x") / 1024 )) MiB"

echo "## budgets"
python3 - "$scratch" "$corpus" <<'EOF'
import json, os, sys
scratch, corpus = sys.argv[1], sys.argv[2]
def means(name):
    return {r["command"]: r["mean"] for r in json.load(open(os.path.join(scratch, name)))["results"]}
c = means("c.json")
scanned = sum(
    os.path.getsize(os.path.join(root, f))
    for root, _, files in os.walk(corpus)
    for f in files
    if f.endswith((".tf", ".tfvars", ".json"))
)
rss = int(open(os.path.join(scratch, "rss")).read().split()[0]) * 1024
rows = [
    ("full scan <= 1.5x parse-only floor (median of pairs)", float(open(os.path.join(scratch, "paired")).read().split()[0]), 1.5, "x"),
    ("pre-commit single file <= 100 ms", max(c.values()) * 1000, 100, " ms"),
    ("peak RSS <= 4x corpus bytes (scanned files)", rss / scanned, 4.0, "x"),
    ("4x corpus <= 4.4x the time of 1x (median of pairs)", float(open(os.path.join(scratch, "scaling")).read().split()[0]), 4.4, "x"),
]
for name, value, limit, unit in rows:
    print(f"{'PASS' if value <= limit else 'FAIL'}  {name}: {value:.2f}{unit}")
EOF
