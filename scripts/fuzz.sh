#!/usr/bin/env bash
# Runs sonde's fuzz targets (fuzz/, its own cargo workspace) with cargo-fuzz and libFuzzer.
#
#     scripts/fuzz.sh TARGET [SECONDS] [-- LIBFUZZER-ARGS...]
#     scripts/fuzz.sh reader 600           # the capture-file reader, state engine and printer
#     scripts/fuzz.sh filter_parser 600    # the filter parser and compiler
#     scripts/fuzz.sh all 600              # both, one after the other
#
# cargo-fuzz needs nightly compiler flags (-Zsanitizer=address); on the stable toolchain the project uses,
# RUSTC_BOOTSTRAP=1 enables them. `cargo install cargo-fuzz` first if `cargo fuzz` is missing (done here).
#
# The corpora live in fuzz/corpus/TARGET (git-ignored). The reader's is seeded with the shared captures
# (SHARED, default ../shared), gzip ones decompressed, plus their first 16 KiB; the filter parser's with the
# filters of tests/golden/cases.txt and the parser's test vectors. A crash is saved in fuzz/artifacts/TARGET/;
# replay it with `RUSTC_BOOTSTRAP=1 cargo fuzz run TARGET fuzz/artifacts/TARGET/crash-...` from the repository
# root, and minimise it with `cargo fuzz tmin`.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
shared=${SHARED:-../shared}
export PATH="$HOME/.cargo/bin:$PATH"
export RUSTC_BOOTSTRAP=1

target=${1:?usage: scripts/fuzz.sh reader|filter_parser|all [SECONDS] [-- LIBFUZZER-ARGS...]}
shift
seconds=600
if [ $# -gt 0 ] && [ "$1" != -- ]; then
  seconds=$1
  shift
fi
[ "${1:-}" = -- ] && shift
extra=("$@")

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz
fi

seed_reader() {
  local dir=fuzz/corpus/reader f name
  mkdir -p "$dir"
  for f in "$shared"/captures/*.scap; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .scap)
    [ -e "$dir/seed-$name" ] && continue
    if [ "$(head -c 2 "$f" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
      gzip -dc "$f" >"$dir/seed-$name"
    else
      cp "$f" "$dir/seed-$name"
    fi
    head -c 16384 "$dir/seed-$name" >"$dir/seed-$name-head"
  done
}

seed_filter_parser() {
  local dir=fuzz/corpus/filter_parser i=0 line
  mkdir -p "$dir"
  [ -n "$(ls -A "$dir")" ] && return 0
  # The filter arguments of the conformance cases (the last column of lines without a -p/-j option).
  grep -v '^#' tests/golden/cases.txt | awk -F'\t' 'NF > 1 && $2 !~ /^-/ { print $NF }' |
    while IFS= read -r line; do
      i=$((i + 1))
      printf '%s' "$line" >"$dir/seed-case-$i"
    done
  # The parser's test vectors (inputs as written, escapes and all).
  grep -v '^#' crates/filter/tests/data/libs_differential.txt | cut -f1 | awk 'NR % 12 == 1' |
    while IFS= read -r line; do
      i=$((i + 1))
      printf '%s' "$line" >"$dir/seed-vec-$i"
    done
}

# Inputs larger than this are cut: 64 KiB holds the metadata and the first events of every shared capture.
# (The reader target runs every event through the state engine and three formatters under AddressSanitizer:
# about 150 executions a second at this size, against 90 with the whole captures; the filter parser does
# about 15,000.)
max_len_reader=65536
max_len_filter_parser=4096

run() {
  local t=$1 max_len_var="max_len_$1"
  "seed_$t"
  local args=(-max_total_time="$seconds" -max_len="${!max_len_var}" -print_final_stats=1 "${extra[@]}")
  echo "fuzz: cargo fuzz run $t fuzz/corpus/$t -- ${args[*]}" >&2
  cargo fuzz run "$t" "fuzz/corpus/$t" -- "${args[@]}"
}

case $target in
  all)
    run reader
    run filter_parser
    ;;
  reader | filter_parser) run "$target" ;;
  *)
    echo "fuzz: unknown target $target (reader, filter_parser, all)" >&2
    exit 2
    ;;
esac
