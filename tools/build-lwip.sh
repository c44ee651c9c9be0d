#!/bin/sh
# Runs on the host (Debian 12): fetches and unpacks Debian's lwIP source
# package (lwip 2.1.3+dfsg1-2) for the management partition, into
# BUILD_DIR/lwip/src (so BUILD_DIR/lwip/src/src/core/init.c etc.).
# It compiles nothing: guest/mgmt/deps.mk compiles the lwIP files it needs
# with our port headers (guest/mgmt/port).
# Usage: tools/build-lwip.sh BUILD_DIR
# Idempotent: exits at once when BUILD_DIR/lwip/.done carries the stamp of
# this recipe (RECIPE and VERSION below). /etc/apt is never touched: a
# private apt state under BUILD_DIR/lwip/apt (removed after the download)
# with Debian's own sources turned into deb-src; works as any user.
# Log: BUILD_DIR/lwip/fetch.log.
set -eu

VERSION=2.1.3+dfsg1-2

[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
mkdir -p "$1"
B=$(cd "$1" && pwd)
D=$B/lwip
mkdir -p "$D"
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS 2>/dev/null || true

RECIPE=1    # bump when a step below changes what ends up in BUILD_DIR/lwip/src
STAMP="lwip-recipe $RECIPE $VERSION"

exec 9>"$D/.lock"
flock 9

if [ -f "$D/.done" ] && [ "$(head -n1 "$D/.done")" = "$STAMP" ] &&
   [ -f "$D/src/src/core/init.c" ]; then
    touch "$D/.done"
    exit 0
fi

LOG=$D/fetch.log
echo "build-lwip: fetching lwip $VERSION source into $D/src (log: $LOG)"
rm -f "$D/.done"
: >"$LOG"

fail() {
    echo "build-lwip: FAILED: $1; last lines of $LOG:" >&2
    tail -n 40 "$LOG" >&2
    exit 1
}

# 1. Private apt state: Debian's sources (deb822 .sources files and/or
#    one-line .list files) with deb-src instead of deb.
A=$D/apt
SB=""
[ "$(id -u)" -eq 0 ] && SB="-o APT::Sandbox::User=root"
APTO="$SB -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$A/sources
      -o Dir::State::Lists=$A/lists -o Dir::Cache=$A/cache -o Debug::NoLocking=1"
mkdir -p "$D/dl"
if ! ls "$D"/dl/lwip_*.dsc >/dev/null 2>&1; then
    rm -rf "$A"
    mkdir -p "$A/sources" "$A/lists/partial" "$A/cache/archives/partial"
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        sed -E 's/^Types:.*/Types: deb-src/' "$f" >"$A/sources/$(basename "$f")"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        sed -nE 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >>"$A/sources/debian-src.list"
    done
    ls "$A"/sources/* >/dev/null 2>&1 || fail "no Debian apt sources found under /etc/apt"
    # shellcheck disable=SC2086
    apt-get $APTO update >>"$LOG" 2>&1 || fail "apt-get update (private deb-src state)"
    # shellcheck disable=SC2086
    (cd "$D/dl" && apt-get $APTO source --download-only "lwip=$VERSION") >>"$LOG" 2>&1 ||
        fail "apt-get source --download-only lwip=$VERSION"
    rm -rf "$A"    # ~20 MB of package lists, not needed any more
fi

# 2. Unpack and apply Debian's patches. apt already checked the .dsc and the
#    tarballs against Debian's signed Sources index; dpkg-source checks the
#    tarballs against the .dsc (its warning that it cannot verify the
#    uploader's own signature is expected: no debian-keyring installed).
rm -rf "$D/src"
dpkg-source --no-copy -x "$(ls "$D"/dl/lwip_*.dsc | tail -n1)" "$D/src" >>"$LOG" 2>&1 ||
    fail "dpkg-source -x"
[ -f "$D/src/src/core/init.c" ] && [ -f "$D/src/src/include/lwip/init.h" ] ||
    fail "unexpected source layout: no src/core/init.c"

{ echo "$STAMP"; } >"$D/.done"
echo "build-lwip: done: lwIP source at $D/src"
