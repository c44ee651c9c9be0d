#!/bin/sh
# Runs on the host (Debian 12): builds newlib (libc.a, libm.a) for the
# management partition, a 64-bit CPL0 unikernel, from Debian's newlib-source
# package with the host gcc, and installs it under BUILD_DIR/newlib/sysroot:
#   BUILD_DIR/newlib/sysroot/x86_64-elf/include   headers
#   BUILD_DIR/newlib/sysroot/x86_64-elf/lib       libc.a libm.a
# Usage: tools/build-newlib.sh BUILD_DIR
# Idempotent: exits at once when BUILD_DIR/newlib/.done carries the stamp of
# this recipe (RECIPE below, a hash of the configure arguments, the gcc
# version): bump RECIPE when changing a step in a way the hash does not
# see. A cold build takes 2.5 min on 2 idle cores (6.5 min with
# the cores busy elsewhere); the log is BUILD_DIR/newlib/build.log.
# The program must provide sbrk write read close fstat isatty lseek kill
# getpid and _exit (newlib's MISSING_SYSCALL_NAMES convention on x86_64-elf).
set -eu

[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
mkdir -p "$1"
B=$(cd "$1" && pwd)
D=$B/newlib
mkdir -p "$D"

# Never inherit the calling make's job server or flags, nor host compiler
# settings: newlib's configure would take them for the target.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS \
      CC CXX CPP CFLAGS CXXFLAGS CPPFLAGS LDFLAGS LIBS AR RANLIB AS LD \
      CC_FOR_TARGET CFLAGS_FOR_TARGET LDFLAGS_FOR_TARGET 2>/dev/null || true

RECIPE=1
GCCINC=$(gcc -print-file-name=include)
CONF_ARGS="--target=x86_64-elf --disable-multilib --disable-newlib-supplied-syscalls
  --enable-newlib-io-long-long --enable-newlib-io-c99-formats"
# freestanding, our own headers only, no red zone (CPL0: interrupts push on
# the current stack); -fpie objects link fine into the static non-PIE image
TARGET_CC="gcc -ffreestanding -nostdinc -idirafter $GCCINC"
TARGET_CFLAGS="-O2 -mno-red-zone -fno-stack-protector -fpie -ffunction-sections -fdata-sections"
STAMP="newlib-recipe $RECIPE $(echo "$CONF_ARGS|$TARGET_CC|$TARGET_CFLAGS" | sha256sum | cut -c1-16) gcc-$(gcc -dumpfullversion)"

# Another make (another developer, or make -j) may run us at the same time.
exec 9>"$D/.lock"
flock 9

if [ -f "$D/.done" ] && [ "$(head -n1 "$D/.done")" = "$STAMP" ]; then
    touch "$D/.done"
    exit 0
fi

LOG=$D/build.log
JOBS=$(nproc 2>/dev/null || echo 2)
echo "build-newlib: building newlib for x86_64-elf into $D/sysroot (log: $LOG)"
rm -f "$D/.done"
: >"$LOG"

fail() {
    echo "build-newlib: FAILED: $1; last lines of $LOG:" >&2
    tail -n 40 "$LOG" >&2
    exit 1
}

# 1. Debian's newlib-source .deb (architecture all). apt-get download works
#    as any user when the package lists know it; else fall back to a private
#    apt state under BUILD_DIR (no root, /etc/apt untouched).
fetch_deb() {
    cd "$D/deb"
    ls newlib-source_*.deb >/dev/null 2>&1 && return 0
    SB=""
    [ "$(id -u)" -eq 0 ] && SB="-o APT::Sandbox::User=root"
    # shellcheck disable=SC2086
    apt-get $SB download newlib-source >>"$LOG" 2>&1 && return 0
    echo "build-newlib: system apt lists lack newlib-source; using a private apt state" >>"$LOG"
    A=$D/apt
    rm -rf "$A"
    mkdir -p "$A/sources" "$A/lists/partial" "$A/cache/archives/partial"
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] && cp "$f" "$A/sources/"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        grep -E '^[[:space:]]*deb[[:space:]]' "$f" >>"$A/sources/debian.list" || true
    done
    APTO="$SB -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$A/sources
          -o Dir::State::Lists=$A/lists -o Dir::Cache=$A/cache -o Debug::NoLocking=1"
    # shellcheck disable=SC2086
    apt-get $APTO update >>"$LOG" 2>&1 &&
    apt-get $APTO download newlib-source >>"$LOG" 2>&1 &&
    rm -rf "$A"    # ~10 MB of package lists, not needed any more
}
mkdir -p "$D/deb"
( fetch_deb ) || fail "could not download newlib-source"
DEB=$(ls "$D"/deb/newlib-source_*.deb | tail -n1)
echo "$DEB" >>"$LOG"

# 2. Unpack: the .deb holds usr/src/newlib/newlib-3.3.0.tar.xz, which
#    unpacks to newlib-salsa/.
rm -rf "$D/deb/x" "$D/src" "$D/obj" "$D/sysroot"
dpkg-deb -x "$DEB" "$D/deb/x" >>"$LOG" 2>&1 || fail "dpkg-deb -x"
TARBALL=$(ls "$D"/deb/x/usr/src/newlib/newlib-*.tar.xz | tail -n1)
mkdir -p "$D/src"
tar -xJf "$TARBALL" -C "$D/src" >>"$LOG" 2>&1 || fail "untar $TARBALL"
rm -rf "$D/deb/x"
SRC=$(ls -d "$D"/src/*/ | head -n1)
SRC=${SRC%/}

# 3. Configure and build with the host gcc.
mkdir -p "$D/obj"
cd "$D/obj"
# shellcheck disable=SC2086
"$SRC/configure" $CONF_ARGS --prefix="$D/sysroot" \
    CC_FOR_TARGET="$TARGET_CC" CFLAGS_FOR_TARGET="$TARGET_CFLAGS" \
    AR_FOR_TARGET=ar RANLIB_FOR_TARGET=ranlib AS_FOR_TARGET=as \
    LD_FOR_TARGET=ld NM_FOR_TARGET=nm OBJDUMP_FOR_TARGET=objdump \
    STRIP_FOR_TARGET=strip READELF_FOR_TARGET=readelf \
    >>"$LOG" 2>&1 || fail "configure"
make -j"$JOBS" all-target-newlib >>"$LOG" 2>&1 || fail "make all-target-newlib"
make install-target-newlib >>"$LOG" 2>&1 || fail "make install-target-newlib"

L=$D/sysroot/x86_64-elf/lib
[ -f "$L/libc.a" ] && [ -f "$L/libm.a" ] && [ -f "$D/sysroot/x86_64-elf/include/stdio.h" ] ||
    fail "libc.a, libm.a or stdio.h missing after install"

# The object tree is large and no longer needed; the source stays for
# debugging (and the .deb, so a rebuild needs no network).
rm -rf "$D/obj"
{ echo "$STAMP"; echo "deb: $(basename "$DEB")"; } >"$D/.done"
echo "build-newlib: done: $L/libc.a $L/libm.a"
