#!/usr/bin/env bash
# Regenerates the conformance golden files from the reference reader, Debian's sysdig 0.29.3.
#
# For every ../shared/captures/*.scap and every case in tests/golden/cases.txt it runs
#
#     TZ=UTC LC_ALL=C sysdig -r ../shared/captures/CAPTURE.scap ARGS...
#
# from the repository root and writes tests/golden/CAPTURE/CASE.out (stdout, byte for byte), CASE.err
# (stderr) and CASE.rc (exit status). crates/sonde/tests/conformance.rs compares `sonde dig` against them.
# Installs sysdig first if it is missing. Run it after changing cases.txt or when captures are added.
#
#     scripts/golden.sh              (SHARED=/path/to/shared to read captures from elsewhere)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
shared=${SHARED:-../shared}
golden=tests/golden
want_version=0.29.3

bash scripts/setup.sh sysdig

version=$(sysdig --version | awk '{print $NF}')
if [ "$version" != "$want_version" ]; then
  echo "golden: sysdig is $version; the goldens are defined by Debian's sysdig $want_version" >&2
  exit 1
fi

shopt -s nullglob
captures=("$shared"/captures/*.scap)
if [ ${#captures[@]} -eq 0 ]; then
  echo "golden: no captures in $shared/captures (the shared directory must sit beside the repository)" >&2
  exit 1
fi

# One entry per case: the line from cases.txt, name and arguments separated by TABs.
cases=()
while IFS= read -r line || [ -n "$line" ]; do
  case $line in '' | '#'*) continue ;; esac
  cases+=("$line")
done <"$golden/cases.txt"

for capture in "${captures[@]}"; do
  stem=$(basename "$capture" .scap)
  dir=$golden/$stem
  rm -rf "$dir"
  mkdir -p "$dir"
  summary=()
  for line in "${cases[@]}"; do
    IFS=$'\t' read -r -a fields <<<"$line"
    name=${fields[0]}
    args=("${fields[@]:1}")
    rc=0
    TZ=UTC LC_ALL=C timeout 600 sysdig -r "$capture" "${args[@]}" \
      >"$dir/$name.out" 2>"$dir/$name.err" </dev/null || rc=$?
    echo "$rc" >"$dir/$name.rc"
    if [ "$rc" -eq 0 ]; then
      summary+=("$name=$(wc -l <"$dir/$name.out")")
    else
      summary+=("$name=FAILED($rc)")
    fi
  done
  printf '%-42s %s\n' "$stem" "${summary[*]}"
done

# Drop the goldens of captures that are no longer shared.
for dir in "$golden"/*/; do
  stem=$(basename "$dir")
  # lists/ holds scripts/golden-lists.sh's goldens, not a capture's.
  [ "$stem" = lists ] && continue
  [ -e "$shared/captures/$stem.scap" ] || { echo "golden: removing $dir (no such capture)"; rm -rf "$dir"; }
done

echo "golden: sysdig $version, ${#captures[@]} captures x ${#cases[@]} cases, $(du -sh "$golden" | cut -f1) in $golden"
