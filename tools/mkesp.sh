#!/bin/sh
# Runs on the host: builds a FAT ESP image without root or loop mounts.
# usage: mkesp.sh IMAGE SIZE_MIB SRC=\\DEST\\PATH ...
# mtools asks on the terminal what to do when a name already exists; this
# script never creates a name twice, tells mtools to stop rather than ask
# (-D s for directories, -D o to overwrite a file given twice) and gives it
# no terminal to ask on, so it cannot wait for input nobody sees.
set -eu
img=$1 size=$2
shift 2
rm -f "$img"
dd if=/dev/zero of="$img" bs=1M count="$size" status=none
mformat -i "$img" -v ESP :: < /dev/null
made=" "
for spec in "$@"; do
    src=${spec%%=*}
    dest=$(printf '%s' "${spec#*=}" | tr '\\' '/')
    dir=$(dirname "$dest")
    # create each directory level once
    path=""
    for part in $(printf '%s' "$dir" | tr '/' ' '); do
        path="$path/$part"
        case "$made" in
        *" $path "*) ;;
        *) mmd -D s -i "$img" "::$path" < /dev/null
           made="$made$path " ;;
        esac
    done
    mcopy -D o -i "$img" "$src" "::$dest" < /dev/null
done
