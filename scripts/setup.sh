#!/usr/bin/env bash
# Installs what building and testing sonde needs on a Debian 12 machine, and nothing that is already there.
#
#   scripts/setup.sh            every Debian package below, then checks the Rust toolchain
#   scripts/setup.sh PKG...     only these Debian packages (scripts/golden.sh uses `setup.sh sysdig`)
#
# Idempotent and quick when everything is present: packages are checked with dpkg-query first, and
# `apt-get update` runs (once) only when something is missing. Safe without a terminal (CI has no stdin).
set -euo pipefail

# Debian packages, one reason each. Add new build or test needs here, not in the Makefile.
default_packages=(
  ca-certificates # cargo fetches crates over HTTPS
  gcc             # the linker rustc calls (`cc`), and build scripts that compile C
  libc6-dev       # crt files and libc headers for linking
  make            # the entry point itself, for completeness on a bare machine
  pkg-config      # libbpf-sys finds libelf and zlib through it
  clang           # compiles the BPF programs (C, CO-RE)
  llvm            # llvm-strip and friends for BPF objects
  libelf-dev      # libbpf links libelf
  zlib1g-dev      # libbpf links zlib
  sysdig          # the reference reader: tests/golden/ holds its output (0.29.3)
  python3         # the live-capture tests' child makes its system calls with Debian's python3
  openssl         # the http/tls-cert check tests make their certificates with the openssl command
  dnsmasq-base    # the dns check and dns-timing tests start a real dnsmasq on a free port
  mariadb-server  # the mysql plugin's tests start a real mariadbd (mariadb-install-db on a temp datadir)
  postgresql      # the postgres plugin's and the server's state tests start a real postgres (initdb on a temp dir)
  redis-server    # the redis plugin's tests (and `sonde plugin redis`) start a real redis-server
  memcached       # the memcached plugin's tests start a real memcached
  nginx           # the nginx plugin's tests start a real nginx with a stub_status location
  prometheus      # the agent's /metrics test has a real Prometheus scrape it
  prometheus-node-exporter # scripts/bench-agent.sh measures the agent beside it
  victoria-metrics # fleet mode's tests start a real one; scripts/bench-server.sh measures the server's store beside it
  chromium        # the dashboard's end-to-end test drives headless Chromium over the DevTools protocol
  python3-venv    # the S3 artefact tests run moto_server from a venv made with Debian's python3 (see below)
)

if [ $# -gt 0 ]; then
  packages=("$@")
  check_rust=false
else
  packages=("${default_packages[@]}")
  check_rust=true
fi

log() { printf 'setup: %s\n' "$*"; }

# sysdig counts as present when its binary is: when a dkms kernel module is pulled in (it is a recommends,
# which we do not install) its build fails here and leaves the package half-configured, yet
# /usr/bin/sysdig reads capture files perfectly well, which is all we use it for.
present() {
  if [ "$1" = sysdig ] && command -v sysdig >/dev/null 2>&1; then
    return 0
  fi
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=()
for p in "${packages[@]}"; do
  present "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  log "Debian packages present: ${packages[*]}"
else
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo -n)
  else
    log "missing Debian packages (${missing[*]}) and not root, no sudo: install them and run again" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt=("${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0)
  log "installing missing Debian packages: ${missing[*]}"
  "${apt[@]}" update -qq || log "apt-get update failed; trying to install from the lists already there" >&2

  others=()
  want_sysdig=false
  for p in "${missing[@]}"; do
    if [ "$p" = sysdig ]; then want_sysdig=true; else others+=("$p"); fi
  done
  if [ ${#others[@]} -gt 0 ]; then
    "${apt[@]}" install -y -q --no-install-recommends "${others[@]}"
  fi
  # sysdig last, on its own: should its kernel-module build ever fail, the rest is already installed.
  if $want_sysdig; then
    if ! "${apt[@]}" install -y -q --no-install-recommends sysdig; then
      if command -v sysdig >/dev/null 2>&1; then
        log "sysdig's package set-up reported an error (its kernel module does not build here);" \
          "$(command -v sysdig) is installed and reads capture files, which is all sonde needs"
      else
        log "installing sysdig failed and /usr/bin/sysdig is missing" >&2
        exit 1
      fi
    fi
  fi
  for p in "${missing[@]}"; do
    present "$p" || { log "package $p is still missing after apt-get install" >&2; exit 1; }
  done
fi

$check_rust || exit 0

# moto (PyPI), an S3 server the artefact tests start on a free port (crates/server/tests/artefacts.rs). In
# a venv of Debian's own python3, so a machine with another python first on PATH (pyenv) gets the same one;
# skipped when the venv already answers. The tests look for $SONDE_MOTO_SERVER, then this path.
moto_venv=/opt/sonde-test/moto
if ! "$moto_venv/bin/python" -c 'import moto.server, flask' >/dev/null 2>&1; then
  log "installing moto[server] into $moto_venv"
  if mkdir -p "$(dirname "$moto_venv")" && /usr/bin/python3 -m venv "$moto_venv" \
    && "$moto_venv/bin/pip" install -q --disable-pip-version-check 'moto[server]>=5,<6'; then
    log "moto $("$moto_venv/bin/python" -c 'import moto; print(moto.__version__)')"
  else
    log "installing moto[server] failed: the S3 artefact tests will fail until it is there" >&2
    exit 1
  fi
fi

# The Rust toolchain comes from rustup (Debian's rustc is far older than the 1.95 the workspace needs, and
# rustup's own servers are not reachable from here), so it can only be checked, not installed.
if [ -d "$HOME/.cargo/bin" ]; then
  case ":$PATH:" in *":$HOME/.cargo/bin:"*) ;; *) PATH="$HOME/.cargo/bin:$PATH" ;; esac
fi
if ! command -v cargo >/dev/null 2>&1; then
  log "cargo not found: install Rust 1.95 with rustup (the workspace needs rust-version 1.95)" >&2
  exit 1
fi
for component in fmt clippy; do
  if ! cargo "$component" --version >/dev/null 2>&1; then
    name=$([ "$component" = fmt ] && echo rustfmt || echo clippy)
    log "cargo $component missing; trying rustup component add $name"
    rustup component add "$name" || { log "cannot install $name: add it to the toolchain" >&2; exit 1; }
  fi
done
if cargo nextest --version >/dev/null 2>&1; then
  nextest="nextest $(cargo nextest --version 2>/dev/null | head -n 1 | awk '{print $2}')"
else
  nextest="no nextest (cargo test will run the tests)"
fi
log "$(cargo --version | awk '{print "cargo", $2}'), $nextest, $(sysdig --version 2>/dev/null || echo 'no sysdig')"
