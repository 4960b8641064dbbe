#!/usr/bin/env bash
# Our io_uring server vs our epoll server vs Node's net server, measured by `uringctl echo bench --compare`
# at 128 B and 512 B with 50 and 500 connections: each server pinned to one CPU, the load generator to
# another, server CPU time per message read from /proc. Writes one JSON file per run and prints a markdown
# table of medians (docs/benchmarks.md).
#
#   benchmarks/compare.sh [--repeat N] [--duration S] [--warmup S] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

repeat=3 duration=10 warmup=2 out="${TMPDIR:-/tmp}/uringctl-compare-$(date -u +%Y%m%dT%H%M%SZ)"
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat) repeat=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "unknown option $1 (use --repeat N, --duration S, --warmup S, --out DIR)" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
{
  echo "kernel: $(uname -r)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') x $(nproc)"
  echo "node: $(node --version)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "command: uringctl echo bench --compare --with-node --size SIZE --connections CONNS --duration $duration --warmup $warmup"
} | tee "$out/machine.txt"

status=0
for size in 128 512; do
  for conns in 50 500; do
    for run in $(seq 1 "$repeat"); do
      file="$out/${size}B-${conns}c-run${run}.json"
      echo "size ${size} B, ${conns} connections, run ${run}/${repeat}" >&2
      ./bin/run.js echo bench --compare --with-node --size "$size" --connections "$conns" \
        --duration "$duration" --warmup "$warmup" --json > "$file" || status=$?
    done
  done
done
node benchmarks/compare-table.mjs "$out"/*.json | tee "$out/table.md"
exit "$status"
