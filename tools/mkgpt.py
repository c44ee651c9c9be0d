#!/usr/bin/env python3
"""Runs on the host: builds a GPT disk image with one FAT partition, without
root or loop mounts (the tests' second disks: a USB disk, a boot disk found
by its partition GUID).

usage: mkgpt.py IMAGE SIZE_MIB PART_GUID [SRC=\\DEST\\PATH ...]

The partition starts at 1 MiB and ends 1 MiB before the disk's end, is of
the EFI System type, has the unique partition GUID PART_GUID (as lsblk's
PARTUUID prints it) and holds a FAT file system (mtools, at the partition's
offset) with the files given, as tools/mkesp.sh copies them.
"""
import os
import struct
import subprocess
import sys
import uuid
import zlib

SECTOR = 512
ESP_TYPE = uuid.UUID("c12a7328-f81f-11d2-ba4b-00a0c93ec93b")
ENTRIES = 128
ENTRY_SIZE = 128


def header(lba, backup, first, last, disk_guid, entries_lba, entries_crc):
    fields = [b"EFI PART", 0x00010000, 92, 0, 0, lba, backup, first, last, disk_guid.bytes_le,
              entries_lba, ENTRIES, ENTRY_SIZE, entries_crc]
    fmt = "<8sIIIIQQQQ16sQIII"
    raw = struct.pack(fmt, *fields)
    fields[3] = zlib.crc32(raw) & 0xFFFFFFFF
    return struct.pack(fmt, *fields).ljust(SECTOR, b"\0")


def build(image, size_mib, part_guid):
    sectors = size_mib * 1024 * 1024 // SECTOR
    first, last = 2048, sectors - 2048 - 1
    entry = struct.pack("<16s16sQQQ72s", ESP_TYPE.bytes_le, part_guid.bytes_le, first, last, 0,
                        "onestone test".encode("utf-16-le"))
    table = entry.ljust(ENTRIES * ENTRY_SIZE, b"\0")
    crc = zlib.crc32(table) & 0xFFFFFFFF
    disk_guid = uuid.uuid5(part_guid, "disk")
    table_sectors = ENTRIES * ENTRY_SIZE // SECTOR
    # protective MBR: one partition of type 0xEE over the whole disk
    mbr = bytearray(SECTOR)
    mbr[446:462] = struct.pack("<BBBBBBBBII", 0, 0, 2, 0, 0xEE, 0xFF, 0xFF, 0xFF, 1,
                               min(sectors - 1, 0xFFFFFFFF))
    mbr[510:512] = b"\x55\xaa"
    with open(image, "wb") as f:
        f.truncate(sectors * SECTOR)
        f.write(mbr)
        f.write(header(1, sectors - 1, 34, sectors - 34, disk_guid, 2, crc))
        f.write(table)
        f.seek((sectors - 1 - table_sectors) * SECTOR)
        f.write(table)
        f.write(header(sectors - 1, 1, 34, sectors - 34, disk_guid, sectors - 1 - table_sectors,
                       crc))
    return first * SECTOR, last - first + 1


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    image, size_mib, part_guid = argv[1], int(argv[2]), uuid.UUID(argv[3])
    offset, part_sectors = build(image, size_mib, part_guid)
    target = "%s@@%d" % (image, offset)
    quiet = {"stdin": subprocess.DEVNULL}
    subprocess.run(["mformat", "-i", target, "-T", str(part_sectors), "-h", "1", "-s", "32",
                    "-v", "TESTDISK", "::"], check=True, **quiet)
    made = set()
    for spec in argv[4:]:
        src, dest = spec.split("=", 1)
        dest = dest.replace("\\", "/")
        path = ""
        for part in [p for p in os.path.dirname(dest).split("/") if p]:
            path += "/" + part
            if path not in made:
                subprocess.run(["mmd", "-D", "s", "-i", target, "::" + path], check=True, **quiet)
                made.add(path)
        subprocess.run(["mcopy", "-D", "o", "-i", target, src, "::" + dest], check=True, **quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
