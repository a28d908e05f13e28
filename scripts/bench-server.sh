#!/usr/bin/env bash
# The server's store beside VictoriaMetrics (issue 5, point 9), in one run:
#
#     scripts/bench-server.sh
#
# Starts Debian's victoria-metrics (single node) and `sonde server`, each on a fresh data directory, then
# `tools/ingest-bench` posts the same generated data to both (Prometheus text import, BENCH_THREADS
# keep-alive connections; BENCH_HOSTS x BENCH_METRICS series of BENCH_POINTS samples, one per 120 s),
# prints samples/s acknowledged by each, then 60 dashboard-style queries (one metric on every host over
# 24 h, step 300 s) against both: p50/p99. Finally both are flushed to disk and their data directories
# measured: bytes per stored sample. Targets: sonde ingest >= 1.5x VictoriaMetrics', bytes per sample no more
# than VictoriaMetrics', p99 query under 50 ms.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH" LC_ALL=C

hosts=${BENCH_HOSTS:-100}
metrics=${BENCH_METRICS:-50}
points=${BENCH_POINTS:-720}
threads=${BENCH_THREADS:-4}
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/sonde-bench-server}
target=${CARGO_TARGET_DIR:-$root/target}
# Free ports (a fixed one may be taken by another VictoriaMetrics, which would then answer for ours).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
sonde_port=$(free_port)
vm_port=$(free_port)

log() { printf 'bench-server: %s\n' "$*" >&2; }

command -v victoria-metrics >/dev/null || bash scripts/setup.sh victoria-metrics
cargo build --release -p sonde -p ingest-bench >&2
rm -rf "$dir"
mkdir -p "$dir/vm" "$dir/sonde"

victoria-metrics -storageDataPath="$dir/vm" -httpListenAddr="127.0.0.1:$vm_port" -retentionPeriod=1y \
  > "$dir/vm.log" 2>&1 &
vm_pid=$!
"$target/release/sonde" server --data "$dir/sonde" --listen "127.0.0.1:$sonde_port" \
  --write-key bench-key --admin-key bench-admin > "$dir/sonde.log" 2>&1 &
sonde_pid=$!
trap 'kill $vm_pid $sonde_pid 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for port in $vm_port $sonde_port; do
  for _ in $(seq 1 100); do
    (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break
    sleep 0.1
  done
done
for pid in $vm_pid $sonde_pid; do
  kill -0 "$pid" 2>/dev/null || { log "a server did not start: see $dir/vm.log and $dir/sonde.log"; exit 1; }
done

log "ingest and queries: $hosts hosts x $metrics metrics x $points points, $threads connections each"
"$target/release/ingest-bench" "http://127.0.0.1:$sonde_port" bench-key "http://127.0.0.1:$vm_port" \
  "$hosts" "$metrics" "$points" "$threads" | tee "$dir/figures.txt"

# On disk, after each has written what it holds and stopped (VictoriaMetrics finishes its merges and writes
# its parts at shutdown). Counted: VictoriaMetrics' data and indexdb (not its cache, rebuilt at start);
# sonde's blocks and series index, and its rollups separately (VictoriaMetrics keeps none); sonde's
# write-ahead log is preallocated, recycled segments, empty after the flush, and not counted.
curl -s "http://127.0.0.1:$vm_port/internal/force_flush" > /dev/null
curl -s -X POST -H "X-Api-Key: bench-admin" "http://127.0.0.1:$sonde_port/api/v1/admin/flush" > /dev/null
kill -INT $vm_pid $sonde_pid
wait $vm_pid $sonde_pid 2>/dev/null || true
samples=$(awk '$1 == "samples" { print $2 }' "$dir/figures.txt")
vm_bytes=$(du -scb "$dir/vm/data" "$dir/vm/indexdb" | tail -1 | cut -f1)
sonde_raw=$(du -scb "$dir/sonde/metrics/blocks" "$dir/sonde/metrics/series.log" | tail -1 | cut -f1)
sonde_rollups=$(du -sb "$dir/sonde/metrics/rollups" | cut -f1)
awk -v s="$samples" -v v="$vm_bytes" -v o="$sonde_raw" -v r="$sonde_rollups" 'BEGIN {
  printf "vm_bytes %d\nsonde_raw_bytes %d\nsonde_rollup_bytes %d\n", v, o, r
  printf "vm_bytes_per_sample %.3f\nsonde_bytes_per_sample %.3f\nsonde_bytes_per_sample_with_rollups %.3f\n", v / s, o / s, (o + r) / s
  printf "bytes_ratio %.2f\nbytes_ratio_with_rollups %.2f\n", o / v, (o + r) / v }' | tee -a "$dir/figures.txt"
