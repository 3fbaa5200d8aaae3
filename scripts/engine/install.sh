#!/usr/bin/env bash
# Installs what the real-engine tests need, idempotently (a second run changes nothing):
#  - Debian bookworm packages (apt-get, `update` only when a package has no candidate or the
#    install fails on stale lists);
#  - docker.io / docker-cli / docker-compose (v2 CLI plugin) / docker-buildx from trixie, fetched
#    through a private apt list dir (the system's apt sources are not touched), cached as .debs
#    under .cache/debs/ and installed with dpkg -i.
# Usage (as root): scripts/engine/install.sh
set -euo pipefail
# shellcheck source=scripts/engine/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

require_root
export DEBIAN_FRONTEND=noninteractive

BOOKWORM_PACKAGES=(containerd runc tini iptables debootstrap docker-registry shellcheck chromium
  xvfb x11-utils xauth qemu-utils busybox-static curl ca-certificates jq openssh-client
  # The engine-selection tests make TLS certificates and run their own sshd (on 127.0.0.1, never
  # the system's service: the policy-rc.d guard keeps the package from starting one); the push
  # tests a bcrypt htpasswd file.
  openssl openssh-server apache2-utils
  # The desktop test helpers run their own VNC server, xterm and noVNC on the host.
  tigervnc-standalone-server tigervnc-tools xterm websockify novnc)
TRIXIE_PACKAGES=(docker.io docker-cli docker-compose docker-buildx)
TRIXIE_SOURCE="deb $DEBIAN_MIRROR trixie main"
TRIXIE_APT_DIR=$CACHE_DIR/apt-trixie
# Bounded network: per-connection timeouts and retries, plus a `timeout` around each step.
APT_OPTS=(-o Acquire::http::Timeout=30 -o Acquire::https::Timeout=30 -o Acquire::Retries=3
  -o DPkg::Lock::Timeout=120 -o Dpkg::Use-Pty=0)
TRIXIE_APT_OPTS=("${APT_OPTS[@]}" -o "Dir::Etc::SourceList=$TRIXIE_APT_DIR/sources.list"
  -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$TRIXIE_APT_DIR/lists"
  -o APT::Sandbox::User=root)
ARCH=$(dpkg --print-architecture)

installed() { dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | grep -q '^ii'; }
installed_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }
has_candidate() {
  local c
  c=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2 }')
  [ -n "$c" ] && [ "$c" != "(none)" ]
}

# Package maintainer scripts must not start services (docker.io's postinst would start a
# dockerd through /etc/init.d, docker-registry its own registry): up.sh starts what we need.
# Install a policy-rc.d for the duration of this script only, unless one already exists.
POLICY_RC=/usr/sbin/policy-rc.d
guard_services() {
  [ -e "$POLICY_RC" ] && return 0
  printf '#!/bin/sh\n# temporary: dockervm scripts/engine/install.sh\nexit 101\n' >"$POLICY_RC"
  chmod 0755 "$POLICY_RC"
  trap 'rm -f -- "$POLICY_RC"' EXIT
}

# ---------------------------------------------------------------- bookworm packages
apt_updated=0
apt_update() {
  log "apt-get update (system sources)"
  if ! timeout 600 apt-get "${APT_OPTS[@]}" -q update >&2; then
    # An unrelated, unreachable third-party source must not stop us: the install decides.
    log "warning: apt-get update reported errors; continuing"
  fi
  apt_updated=1
}
apt_install() {
  timeout 1800 apt-get "${APT_OPTS[@]}" -q -y --no-install-recommends install "$@" >&2
}

install_bookworm() {
  local p missing=() nocand=0
  for p in "${BOOKWORM_PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
  if ((${#missing[@]} == 0)); then
    log "bookworm packages: all ${#BOOKWORM_PACKAGES[@]} present"
    return 0
  fi
  log "bookworm packages to install: ${missing[*]}"
  guard_services
  for p in "${missing[@]}"; do has_candidate "$p" || nocand=1; done
  ((nocand)) && apt_update
  if ! apt_install "${missing[@]}"; then
    ((apt_updated)) && die "apt-get install ${missing[*]} failed (see above)"
    log "install failed; the package lists may be stale: updating and retrying once"
    apt_update
    apt_install "${missing[@]}" || die "apt-get install ${missing[*]} failed (see above)"
  fi
}

# ---------------------------------------------------------------- trixie docker packages
# dpkg --compare-versions wrapper: version_ge A B  <=>  A >= B
version_ge() { dpkg --compare-versions "$1" ge "$2"; }

trixie_wanted() {
  # Prints the packages that are missing or too old.
  local p min
  for p in "${TRIXIE_PACKAGES[@]}"; do
    case $p in
      docker.io | docker-cli) min=26 ;;
      # Bookworm's own docker-compose is the Python 1.29 tool: only a 2.x package will do.
      docker-compose) min=2 ;;
      *) min=0 ;;
    esac
    if ! installed "$p" || ! version_ge "$(installed_version "$p")" "$min"; then echo "$p"; fi
  done
}

cached_deb() {
  # Newest cached .deb of package $1, if any.
  local f best=
  for f in "$DEB_DIR/${1}_"*"_${ARCH}.deb" "$DEB_DIR/${1}_"*_all.deb; do
    [ -f "$f" ] || continue
    dpkg-deb --info "$f" >/dev/null 2>&1 || { log "discarding broken cache file ${f#"$REPO_ROOT"/}"; rm -f -- "$f"; continue; }
    if [ -z "$best" ] || version_ge "$(dpkg-deb -f "$f" Version)" "$(dpkg-deb -f "$best" Version)"; then best=$f; fi
  done
  [ -n "$best" ] && printf '%s\n' "$best"
}

fetch_trixie_debs() {
  local p to_fetch=()
  for p in "${TRIXIE_PACKAGES[@]}"; do cached_deb "$p" >/dev/null || to_fetch+=("$p"); done
  if ((${#to_fetch[@]} == 0)); then
    log "trixie .debs: all cached in .cache/debs/"
    return 0
  fi
  log "downloading from trixie: ${to_fetch[*]}"
  mkdir -p "$TRIXIE_APT_DIR/lists/partial" "$DEB_DIR"
  printf '%s\n' "$TRIXIE_SOURCE" >"$TRIXIE_APT_DIR/sources.list"
  timeout 300 apt-get "${TRIXIE_APT_OPTS[@]}" -q update >&2 ||
    die "apt-get update of the private trixie list ($TRIXIE_SOURCE) failed"
  (cd "$DEB_DIR" && timeout 600 apt-get "${TRIXIE_APT_OPTS[@]}" -q download "${to_fetch[@]}" >&2) ||
    die "apt-get download ${to_fetch[*]} from trixie failed"
  for p in "${to_fetch[@]}"; do cached_deb "$p" >/dev/null || die "download of $p left no .deb in .cache/debs/"; done
}

install_trixie() {
  local wanted p debs=()
  wanted=$(trixie_wanted)
  if [ -z "$wanted" ]; then
    log "trixie docker packages: installed ($(installed_version docker.io), compose $(installed_version docker-compose), buildx $(installed_version docker-buildx))"
    return 0
  fi
  log "trixie docker packages to install: $(echo "$wanted" | tr '\n' ' ')"
  fetch_trixie_debs
  # Install the whole set together so the four stay at matching versions.
  for p in "${TRIXIE_PACKAGES[@]}"; do debs+=("$(cached_deb "$p")"); done
  guard_services
  timeout 600 dpkg -i "${debs[@]}" >&2 ||
    die "dpkg -i of the trixie docker packages failed; their dependencies (containerd runc tini iptables adduser sysvinit-utils) must come from bookworm"
}

# ---------------------------------------------------------------- checks
check_versions() {
  local v
  require_cmd dockerd docker containerd runc docker-registry debootstrap busybox jq curl openssl htpasswd /usr/sbin/sshd
  [ -x /bin/busybox ] || die "/bin/busybox missing (busybox-static)"
  v=$(dockerd --version) || die "dockerd --version failed"
  if ! [[ $v =~ version\ ([0-9]+)\. ]] || ((BASH_REMATCH[1] < 26)); then die "need dockerd >= 26, got: $v"; fi
  log "dockerd: $v"
  v=$(docker compose version 2>&1) || die "docker compose (v2 CLI plugin) does not work: $v"
  [[ $v =~ version\ v?2\. ]] || die "need Docker Compose v2, got: $v"
  log "compose: $v"
  v=$(docker buildx version 2>&1) || die "docker buildx does not work: $v"
  log "buildx: $v"
  v=$(docker version --format '{{.Client.Version}}' 2>/dev/null || true)
  log "docker client on PATH: $(command -v docker) ${v:-?}"
}

install_bookworm
install_trixie
check_versions
log "done in $(elapsed)"
