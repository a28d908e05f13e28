#!/usr/bin/env bash
# Regenerates the golden files of the listings from the reference binary, Debian's sysdig 0.29.3:
#
#     tests/golden/lists/fields.out          sysdig -l
#     tests/golden/lists/fields_verbose.out  sysdig -l -v
#     tests/golden/lists/events.out          sysdig -L
#     tests/golden/lists/summary_CAPTURE.out sysdig -r ../shared/captures/CAPTURE.scap -S -q
#
# (stdout, byte for byte; run with TZ=UTC LC_ALL=C from the repository root). The summary is written
# for every capture sysdig reads to the end (a capture it fails on is skipped). crates/output/tests/lists.rs
# compares sonde-output's listings against them.
#
#     scripts/golden-lists.sh        (SHARED=/path/to/shared to read captures from elsewhere)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
shared=${SHARED:-../shared}
out=tests/golden/lists
want_version=0.29.3

if ! command -v sysdig >/dev/null; then
  bash scripts/setup.sh sysdig
fi

version=$(sysdig --version | awk '{print $NF}')
if [ "$version" != "$want_version" ]; then
  echo "golden-lists: sysdig is $version; the goldens are defined by Debian's sysdig $want_version" >&2
  exit 1
fi

export TZ=UTC LC_ALL=C

rm -rf "$out"
mkdir -p "$out"

sysdig -l >"$out/fields.out"
sysdig -l -v >"$out/fields_verbose.out"
sysdig -L >"$out/events.out"

shopt -s nullglob
captures=("$shared"/captures/*.scap)
if [ ${#captures[@]} -eq 0 ]; then
  echo "golden-lists: no captures in $shared/captures (the shared directory must sit beside the repository)" >&2
  exit 1
fi

for capture in "${captures[@]}"; do
  stem=$(basename "$capture" .scap)
  if sysdig -r "$capture" -S -q >"$out/summary_$stem.out" 2>/dev/null; then
    echo "golden-lists: summary_$stem.out"
  else
    rm -f "$out/summary_$stem.out"
    echo "golden-lists: sysdig fails on $stem: skipped" >&2
  fi
done
