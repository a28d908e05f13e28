#!/usr/bin/env bash
# Live capture's overhead, side by side (issue 3, point 9), in one run:
#
#     scripts/bench-capture.sh        (as root)
#
# Two workloads, each measured under four conditions, alternating, BENCH_RUNS times (default 5):
#
#     none      nothing attached
#     floor     programs that do nothing on the capture's hooks (tools/bpf-floor): the cost of the hooks
#     bpftrace  Debian's bpftrace counting the same tracepoints (raw_syscalls sys_enter/sys_exit)
#     sonde     `sonde dig -w FILE` writing every event to a file (switch events included, as by default)
#
# Workloads:
#     dd        `dd if=/dev/zero of=/dev/null bs=1 count=BENCH_DD (default 2,000000)`: 4 M system calls;
#               wall time (bash's clock around dd)
#     nginx     Debian's nginx serving a 612-byte page to `wrk -t2 -c32 -d BENCH_SECS (default 5) s`;
#               requests per second
#
# It prints the medians per condition, the median of the per-round ratios sonde/floor (dd: slowdown; nginx:
# throughput), sonde's drops and event rate during dd, and sonde's own CPU use (user + system from
# /proc/PID/stat over the dd run, in cores). Targets: sonde/floor <= 1.15 on dd, zero drops at the rate
# reached, sonde under one core, nginx throughput loss under 5 % against none.
#
# Needs root (BPF), bpftrace, nginx and wrk (installed by `scripts/setup.sh bpftrace nginx wrk` when
# missing) and tracefs for bpftrace (mounted when it is not). Environment: BENCH_RUNS, BENCH_DD,
# BENCH_SECS, BENCH_DIR, CARGO_TARGET_DIR.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH" LC_ALL=C

runs=${BENCH_RUNS:-5}
dd_count=${BENCH_DD:-2000000}
secs=${BENCH_SECS:-5}
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/sonde-bench-capture}
target=${CARGO_TARGET_DIR:-$root/target}
port=18089

log() { printf 'bench-capture: %s\n' "$*" >&2; }

[ "$(id -u)" = 0 ] || { log "needs root (BPF programs)"; exit 1; }
missing=()
for tool in bpftrace nginx wrk; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] || bash scripts/setup.sh "${missing[@]}"
if [ ! -e /sys/kernel/tracing/available_events ]; then
  mount -t tracefs nodev /sys/kernel/tracing
fi

log "building the release binaries"
cargo build --release -q -p sonde -p bpf-floor
sonde=$target/release/sonde
floor=$target/release/bpf-floor
rm -rf "$dir"
mkdir -p "$dir/www"

# --- the conditions ----------------------------------------------------------------------------------
pid=
start() {
  case $1 in
    none) pid= ;;
    floor)
      "$floor" > "$dir/floor.out" &
      pid=$!
      until grep -q attached "$dir/floor.out" 2>/dev/null; do sleep 0.05; done
      ;;
    bpftrace)
      bpftrace -e 'tracepoint:raw_syscalls:sys_enter { @enter = count(); }
                   tracepoint:raw_syscalls:sys_exit { @exit = count(); }' > "$dir/bpftrace.out" 2>&1 &
      pid=$!
      until grep -q Attaching "$dir/bpftrace.out" 2>/dev/null; do sleep 0.05; done
      sleep 0.5
      ;;
    sonde)
      rm -f "$dir/cap.scap"
      "$sonde" dig -v -w "$dir/cap.scap" 2> "$dir/sonde.err" &
      pid=$!
      until [ -s "$dir/cap.scap" ]; do sleep 0.05; done
      ;;
  esac
}
stop() {
  if [ -n "$pid" ]; then
    kill -INT "$pid"
    wait "$pid" 2>/dev/null || true
  fi
  pid=
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
calc() { awk "BEGIN {print $*}"; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

conditions=(none floor bpftrace sonde)

# --- dd --------------------------------------------------------------------------------------------
log "dd bs=1 count=$dd_count, $runs rounds"
: > "$dir/dd.tsv"
: > "$dir/sonde-dd.tsv"
for ((r = 1; r <= runs; r++)); do
  # Rotate the order each round, so that no condition always runs first.
  for ((k = 0; k < 4; k++)); do
    c=${conditions[$(((k + r) % 4))]}
    start "$c"
    [ "$c" = sonde ] && t0=$(cpu_ticks "$pid")
    s=$EPOCHREALTIME
    dd if=/dev/zero of=/dev/null bs=1 count="$dd_count" 2>/dev/null
    e=$EPOCHREALTIME
    wall=$(calc "$e - $s")
    if [ "$c" = sonde ]; then
      t1=$(cpu_ticks "$pid")
      cores=$(calc "($t1 - $t0) / 100 / $wall")
    fi
    stop
    printf '%s\t%s\t%s\n' "$r" "$c" "$wall" >> "$dir/dd.tsv"
    if [ "$c" = sonde ]; then
      events=$(sed -n 's/^Driver Events://p' "$dir/sonde.err")
      drops=$(sed -n 's/^Driver Drops://p' "$dir/sonde.err")
      printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$events" "$drops" "$cores" "$(calc "4 * $dd_count / $wall")" >> "$dir/sonde-dd.tsv"
    fi
  done
done

# --- nginx + wrk -----------------------------------------------------------------------------------
log "nginx + wrk -t2 -c32 -d${secs}s, $runs rounds"
head -c 612 /dev/zero | tr '\0' 'x' > "$dir/www/index.html"
cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx.err;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir;
  proxy_temp_path $dir;
  fastcgi_temp_path $dir;
  uwsgi_temp_path $dir;
  scgi_temp_path $dir;
  server { listen 127.0.0.1:$port; location / { root $dir/www; } }
}
CONF
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
"$nginx_bin" -c "$dir/nginx.conf"
trap '[ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null; stop' EXIT
sleep 0.5
: > "$dir/nginx.tsv"
for ((r = 1; r <= runs; r++)); do
  for ((k = 0; k < 4; k++)); do
    c=${conditions[$(((k + r) % 4))]}
    start "$c"
    rps=$(wrk -t2 -c32 -d"${secs}s" "http://127.0.0.1:$port/" | awk '/^Requests\/sec:/ {print $2}')
    stop
    printf '%s\t%s\t%s\n' "$r" "$c" "$rps" >> "$dir/nginx.tsv"
  done
done

# --- the report ------------------------------------------------------------------------------------
med() { awk -F'\t' -v c="$2" '$2 == c {print $3}' "$1" | median; }
paired() { # per round: $3 of condition a / $3 of condition b
  awk -F'\t' -v a="$2" -v b="$3" '$2 == a {x[$1] = $3} $2 == b {y[$1] = $3}
    END {for (r in x) if (y[r] > 0) print x[r] / y[r]}' "$1" | median
}
echo
echo "### dd if=/dev/zero of=/dev/null bs=1 count=$dd_count ($runs rounds, medians)"
echo
echo "| condition | wall (s) | vs none |"
echo "|---|---|---|"
none=$(med "$dir/dd.tsv" none)
for c in "${conditions[@]}"; do
  m=$(med "$dir/dd.tsv" "$c")
  printf '| %s | %.3f | %.2fx |\n' "$c" "$m" "$(calc "$m / $none")"
done
sf=$(paired "$dir/dd.tsv" sonde floor)
bf=$(paired "$dir/dd.tsv" bpftrace floor)
echo
printf 'sonde / floor (paired median): %.3f (target <= 1.15); bpftrace / floor: %.3f\n' "$sf" "$bf"
printf 'sonde during dd: %s events drained per run (median), drops per run: %s, rate %.2f M events/s, own CPU %.2f cores (medians)\n' \
  "$(cut -f2 "$dir/sonde-dd.tsv" | median)" "$(cut -f3 "$dir/sonde-dd.tsv" | sort -g | tr '\n' ' ')" \
  "$(cut -f5 "$dir/sonde-dd.tsv" | median | awk '{print $1 / 1e6}')" "$(cut -f4 "$dir/sonde-dd.tsv" | median)"
echo
echo "### nginx served to wrk -t2 -c32 -d${secs}s ($runs rounds, medians)"
echo
echo "| condition | requests/s | vs none |"
echo "|---|---|---|"
nnone=$(med "$dir/nginx.tsv" none)
for c in "${conditions[@]}"; do
  m=$(med "$dir/nginx.tsv" "$c")
  printf '| %s | %.0f | %.3f |\n' "$c" "$m" "$(calc "$m / $nnone")"
done
sn=$(paired "$dir/nginx.tsv" sonde none)
echo
printf 'nginx throughput with sonde / without (paired median): %.3f (loss %.1f %%, target < 5 %%)\n' "$sn" "$(calc "(1 - $sn) * 100")"
