# Shared by scripts/run and scripts/test: installs what the build and the tests need, from
# Debian's packages only, and configures/builds with CMake + Ninja (+ ccache).
# shellcheck shell=bash

ATRIUM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Packages the build needs.
ATRIUM_BUILD_PACKAGES=(
  g++ cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-url1.81-dev libboost-json1.81-dev
  libssl-dev libsqlite3-dev zlib1g-dev libxapian-dev libsodium-dev libfmt-dev libtomlplusplus-dev libcli11-dev libical-dev
  libgtest-dev libgmock-dev libpugixml-dev libunbound-dev libpsl-dev libidn2-dev publicsuffix
  libgoogle-perftools-dev
)
# Packages the server uses at run time when present: document decoders for the search index.
ATRIUM_RUNTIME_PACKAGES=(
  poppler-utils docx2txt odt2txt catdoc
)
# Packages the tests need on top (real clients and tools the interop tests drive).
ATRIUM_TEST_PACKAGES=(
  python3 python3-pytest openssl curl sqlite3 swaks libnet-ssleay-perl msmtp isync offlineimap3 fetchmail getmail6 nodejs python3-caldav vdirsyncer litmus khard python3-vobject
  nsd postfix python3-dkim python3-spf python3-dnspython
)

# ccache keys on paths relative to the checkout, so every clone (CI's included) shares hits.
export CCACHE_BASEDIR="$ATRIUM_ROOT"
export CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"

log() { printf '==> %s\n' "$*" >&2; }

# install_node_clients: the npm packages the interop tests drive (tests/interop/node, locked).
install_node_clients() {
  local dir="$ATRIUM_ROOT/tests/interop/node"
  # Debian's nodejs comes without npm; some nodejs builds bundle it (and conflict with the package).
  command -v npm >/dev/null 2>&1 || install_packages npm
  if [[ ! -d "$dir/node_modules" || "$dir/package-lock.json" -nt "$dir/node_modules" ]]; then
    log "installing node test clients (npm ci)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# install_packages PKG...: installs the missing ones; refreshes the package lists first.
install_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  # Postfix (only its smtp-sink and smtp-source are used, by tests and benchmarks) installed as a
  # local-only MTA, so the package never offers a service to the network.
  if [[ " ${missing[*]} " == *" postfix "* ]]; then
    printf '%s\n' "postfix postfix/main_mailer_type select Local only" "postfix postfix/mailname string atrium-test.invalid" |
      "${sudo[@]}" debconf-set-selections
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# build DIR TARGET [cmake args...]: configures once, then builds TARGET (or "all").
build() {
  local dir="$1" target="$2"
  shift 2
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -S "$ATRIUM_ROOT" -B "$dir" -G Ninja "$@" >/dev/null
  fi
  local jobs
  jobs="$(nproc 2>/dev/null || echo 2)"
  cmake --build "$dir" --target "$target" -- -j"$jobs"
}
