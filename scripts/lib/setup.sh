# Shared by scripts/demo, scripts/test and scripts/bench: make sure the toolchain and the
# system libraries erasure needs are present, installing what is missing (Debian).
# Sourced, not run.

if [ -d /opt/swift/usr/bin ] && ! command -v swift >/dev/null 2>&1; then
  export PATH=/opt/swift/usr/bin:$PATH
fi
if ! command -v swift >/dev/null 2>&1; then
  echo "erasure: Swift 6.x is required (expected at /opt/swift/usr/bin or on PATH)" >&2
  exit 2
fi

erasure_apt_install() {
  # $@: Debian packages to install when missing
  local missing=()
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "erasure: installing ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

erasure_apt_install liblua5.4-dev pkg-config libsqlite3-dev

# Where SwiftPM builds; override to share a build folder between work trees.
ERASURE_SCRATCH=${ERASURE_SCRATCH:-.build}
