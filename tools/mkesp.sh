#!/bin/sh
# Runs on the host: builds a FAT ESP image without root or loop mounts.
# usage: mkesp.sh IMAGE SIZE_MIB SRC=\\DEST\\PATH ...
set -eu
img=$1 size=$2
shift 2
rm -f "$img"
dd if=/dev/zero of="$img" bs=1M count="$size" status=none
mformat -i "$img" -v ESP ::
for spec in "$@"; do
    src=${spec%%=*}
    dest=$(printf '%s' "${spec#*=}" | tr '\\' '/')
    dir=$(dirname "$dest")
    # create each directory level once
    path=""
    for part in $(printf '%s' "$dir" | tr '/' ' '); do
        path="$path/$part"
        mmd -i "$img" "::$path" 2>/dev/null || true
    done
    mcopy -o -i "$img" "$src" "::$dest"
done
