#!/usr/bin/env bash
# The agent's footprint beside Debian's prometheus-node-exporter (issue 4, point 9), in one run:
#
#     scripts/bench-agent.sh        (as root: fork counting uses bpftrace)
#
# Both run at the same time for BENCH_SECS (default 600) seconds, each scraped on GET /metrics every 15 s
# by this script (curl; the scraper's own processes are not counted). sonde collects every 15 s too
# (`interval_seconds = 15`, its built-in collectors only, no server to post to), so both do a collection
# per scrape. Measured for each:
#
#     RSS        VmRSS from /proc/PID/status, sampled every second: median and peak (MB)
#     CPU        user + system time from /proc/PID/stat over the run, as CPU seconds per hour
#     forks      processes forked by it per minute (bpftrace on sched:sched_process_fork, by parent pid)
#
# and prints the ratio sonde/node_exporter for CPU. Targets: sonde RSS under 10 MB, CPU no more than
# node_exporter's, zero forks for the built-in collectors.
#
# Needs prometheus-node-exporter, curl and bpftrace (installed by scripts/setup.sh when missing).
# Environment: BENCH_SECS, BENCH_DIR, CARGO_TARGET_DIR.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH" LC_ALL=C

secs=${BENCH_SECS:-600}
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/sonde-bench-agent}
target=${CARGO_TARGET_DIR:-$root/target}
sonde_port=19464
ne_port=19100

log() { printf 'bench-agent: %s\n' "$*" >&2; }

missing=()
command -v prometheus-node-exporter >/dev/null || missing+=(prometheus-node-exporter)
command -v curl >/dev/null || missing+=(curl)
command -v bpftrace >/dev/null || missing+=(bpftrace)
if [ ${#missing[@]} -gt 0 ]; then
  bash scripts/setup.sh "${missing[@]}"
fi
if ! mountpoint -q /sys/kernel/tracing 2>/dev/null; then
  mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
fi

cargo build --release --bin sonde >&2
rm -rf "$dir"
mkdir -p "$dir"
cat > "$dir/agent.toml" <<EOF
root = "$dir/state"
[agent]
interval_seconds = 15
[prometheus]
listen = "127.0.0.1:$sonde_port"
EOF

"$target/release/sonde" agent -c "$dir/agent.toml" 2> "$dir/sonde.log" &
sonde_pid=$!
prometheus-node-exporter --web.listen-address="127.0.0.1:$ne_port" 2> "$dir/ne.log" &
ne_pid=$!
cleanup() {
  kill "$sonde_pid" "$ne_pid" 2>/dev/null || true
  [ -n "${bt_pid:-}" ] && kill "$bt_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

# Forks by either process, counted in the kernel for the whole run.
bpftrace -e "tracepoint:sched:sched_process_fork /args->parent_pid == $sonde_pid || args->parent_pid == $ne_pid/ { @[args->parent_pid] = count(); }" \
  > "$dir/forks.txt" 2> "$dir/bpftrace.log" &
bt_pid=$!
sleep 3

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
hz=$(getconf CLK_TCK)

s0=$(cpu_ticks "$sonde_pid")
n0=$(cpu_ticks "$ne_pid")
: > "$dir/rss-sonde"
: > "$dir/rss-ne"
log "running both for $secs s, scraping each every 15 s"
start=$(date +%s)
next_scrape=$start
while [ $(( $(date +%s) - start )) -lt "$secs" ]; do
  now=$(date +%s)
  if [ "$now" -ge "$next_scrape" ]; then
    curl -s -o /dev/null "http://127.0.0.1:$sonde_port/metrics" || log "sonde's /metrics did not answer"
    curl -s -o /dev/null "http://127.0.0.1:$ne_port/metrics" || log "node_exporter's /metrics did not answer"
    next_scrape=$(( next_scrape + 15 ))
  fi
  rss_kb "$sonde_pid" >> "$dir/rss-sonde"
  rss_kb "$ne_pid" >> "$dir/rss-ne"
  sleep 1
done
s1=$(cpu_ticks "$sonde_pid")
n1=$(cpu_ticks "$ne_pid")
elapsed=$(( $(date +%s) - start ))
kill -INT "$bt_pid"
wait "$bt_pid" 2>/dev/null || true
bt_pid=

series() { sort -n "$1" | awk '{ a[NR] = $1 } END { printf "%.1f %.1f", a[int((NR + 1) / 2)] / 1024, a[NR] / 1024 }'; }
forks_of() { awk -v p="$1" -F'[][]' '$2 == p { split($3, f, ": "); print f[2]; found = 1 } END { if (!found) print 0 }' "$dir/forks.txt"; }

read -r s_rss_med s_rss_max <<< "$(series "$dir/rss-sonde")"
read -r n_rss_med n_rss_max <<< "$(series "$dir/rss-ne")"
s_cpu=$(awk -v a="$s0" -v b="$s1" -v hz="$hz" -v t="$elapsed" 'BEGIN { printf "%.2f", (b - a) / hz * 3600 / t }')
n_cpu=$(awk -v a="$n0" -v b="$n1" -v hz="$hz" -v t="$elapsed" 'BEGIN { printf "%.2f", (b - a) / hz * 3600 / t }')
s_forks=$(forks_of "$sonde_pid")
n_forks=$(forks_of "$ne_pid")
per_min() { awk -v n="$1" -v t="$elapsed" 'BEGIN { printf "%.2f", n * 60 / t }'; }
ratio=$(awk -v s="$s_cpu" -v n="$n_cpu" 'BEGIN { if (n > 0) printf "%.2f", s / n; else print "n/a" }')

printf '\n%s s, both scraped every 15 s, sonde collecting every 15 s\n\n' "$elapsed"
printf '| | RSS median / peak (MB) | CPU s per hour | forks per minute |\n|---|---|---|---|\n'
printf '| sonde agent | %s / %s | %s | %s |\n' "$s_rss_med" "$s_rss_max" "$s_cpu" "$(per_min "$s_forks")"
printf '| prometheus-node-exporter | %s / %s | %s | %s |\n' "$n_rss_med" "$n_rss_max" "$n_cpu" "$(per_min "$n_forks")"
printf '\nCPU sonde / node_exporter: %s (target <= 1)\n' "$ratio"
printf 'sonde peak RSS %s MB (target < 10); sonde forks %s (target 0)\n' "$s_rss_max" "$s_forks"
