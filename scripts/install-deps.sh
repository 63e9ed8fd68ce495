#!/usr/bin/env bash
# Installs what blockhealth needs to build and test on Debian 12, and only
# what is missing. Idempotent; safe to run on every build. Needs root (or
# sudo) only when something must be installed.
set -euo pipefail
cd "$(dirname "$0")/.."

# Boost: the newest 1.81 or later this release ships (Debian 12's default
# libboost-dev is 1.74, which lacks Boost.URL; 1.81 is packaged beside it).
boost=$(apt-cache pkgnames libboost-url 2>/dev/null | sed -n 's/^libboost-url\(1\.[0-9]*\)-dev$/\1/p' |
  sort -V | awk -F. '$2 >= 81' | tail -1)
boost=${boost:-1.81}
packages=(
  build-essential cmake pkg-config git curl ca-certificates
  "libboost$boost-dev" "libboost-json$boost-dev" "libboost-url$boost-dev"
  libyaml-cpp-dev libre2-dev libspdlog-dev libfmt-dev libcli11-dev libsqlite3-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev
  chromium fonts-dejavu-core systemd openssl libssl-dev
  libprotobuf-dev protobuf-compiler libsnappy-dev
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Header-only / single-binary tools taken from their .deb without installing
# the package's dependency tree: valijson's headers (the package depends on
# Qt5 and Poco dev packages) and promtool (the prometheus package would start
# a server), and Alertmanager (its package would too). Unpacked into .deps/, which the build and tests look in.
unpack_deb() {  # unpack_deb <package> <dest> <file that proves it is there>
  local package=$1 dest=$2 proof=$3
  [ -e "$dest/$proof" ] && return 0
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download "$package" >/dev/null 2>&1) || {
    as_root apt-get update -qq
    (cd "$tmp" && chmod 777 . && as_root apt-get download "$package" >/dev/null)
  }
  mkdir -p "$dest"
  dpkg-deb -x "$tmp"/"$package"_*.deb "$dest"
  rm -rf "$tmp"
  echo "install-deps: unpacked $package into $dest"
}
unpack_deb libvalijson-dev .deps/valijson usr/include/valijson/validator.hpp
unpack_deb prometheus .deps/prometheus usr/bin/promtool
unpack_deb prometheus-alertmanager .deps/alertmanager usr/bin/prometheus-alertmanager
# Debian's Alertmanager reads its notification templates from a fixed path
# and does not start without them: the unpacked package's copies go there
# (the tests that run Alertmanager otherwise need unshare(1) to mount them).
if [ ! -e /usr/share/prometheus/alertmanager/default.tmpl ]; then
  as_root install -D -m 0644 -t /usr/share/prometheus/alertmanager \
    .deps/alertmanager/usr/share/prometheus/alertmanager/*.tmpl
  echo "install-deps: Alertmanager's templates installed in /usr/share/prometheus/alertmanager"
fi
