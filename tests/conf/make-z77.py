#!/usr/bin/env python3
"""Runs on the host, by a developer: writes tests/conf/topologies/
z77-reference.survey, the reference machine's board as a survey file.

No dump of the reference machine exists yet, so this one is BUILT, not
captured: its functions, IDs, classes and bus layout are those of the Z77
board whose IOMMU groups a VFIO user published (Gigabyte GA-Z77M-D3H,
../shared/research/devices.md 1.6: GPU + HDMI audio behind the CPU's PEG
root port without ACS, the PCH root ports 1e10/1e18 isolated by Linux's
PCH ACS quirk, 00:1c.6 enumerating as an 82801 PCI bridge 244e, the LPC,
SATA and SMBus functions in one group), with the 2012 user's parts in its
slots (Radeon HD 6450 1002:6779 + 1002:aa98; a Marvell 88SE9123 SATA card,
1b4b:9123, in a PCH slot) and a DMAR whose RMRR covers the USB
controllers, as Z77 firmware's does for legacy USB keyboards. The
configuration bytes are the registers the checker reads (IDs, class,
header type, bus numbers, capability lists), each function 4 KiB.
Replace it with `onestone-survey` output from the real machine when
there is one.
"""
import os
import struct
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "topologies", "z77-reference.survey")


def function(vid, did, cls, header=0x00, sec=None, caps=(), multi=False):
    cfg = bytearray(b"\0" * 4096)
    struct.pack_into("<HH", cfg, 0, vid, did)
    cfg[8] = 0x09  # revision
    cfg[9], cfg[10], cfg[11] = cls & 0xFF, (cls >> 8) & 0xFF, cls >> 16
    cfg[0x0E] = header | (0x80 if multi else 0)
    if sec is not None:
        cfg[0x18], cfg[0x19], cfg[0x1A] = 0, sec, sec
    at = 0x40
    if caps:
        struct.pack_into("<H", cfg, 6, 0x0010)   # status: capability list
        cfg[0x34] = at
    for i, (cap_id, body) in enumerate(caps):
        nxt = at + 0x10 if i + 1 < len(caps) else 0
        cfg[at], cfg[at + 1] = cap_id, nxt
        cfg[at + 2:at + 2 + len(body)] = body
        at = nxt
    cfg[0x3D] = 1 if header == 0 else 0     # INTA
    cfg[0x3C] = 0x10
    return cfg


def pcie(port_type):
    return (0x10, struct.pack("<H", 0x0002 | port_type << 4))


MSI = (0x05, b"\x80\x00")           # MSI, 64-bit capable, disabled
PM = (0x01, b"\x03\x00\x08\x00")    # PM; PMCSR NoSoftRst+

# (address, description, config)
FUNCTIONS = [
    ("00:00.0", "Host bridge [0600]: Intel Corporation Xeon E3-1200 v2/3rd Gen Core processor DRAM Controller [8086:0150]",
     function(0x8086, 0x0150, 0x060000)),
    ("00:01.0", "PCI bridge [0604]: Intel Corporation Xeon E3-1200 v2/3rd Gen Core processor PCI Express Root Port [8086:0151]",
     function(0x8086, 0x0151, 0x060400, header=1, sec=1, caps=[pcie(4), MSI])),
    ("00:14.0", "USB controller [0c03]: Intel Corporation 7 Series/C210 Series Chipset Family USB xHCI Host Controller [8086:1e31]",
     function(0x8086, 0x1e31, 0x0c0330, caps=[PM, MSI])),
    ("00:16.0", "Communication controller [0780]: Intel Corporation 7 Series/C216 Chipset Family MEI Controller #1 [8086:1e3a]",
     function(0x8086, 0x1e3a, 0x078000, caps=[PM, MSI])),
    ("00:19.0", "Ethernet controller [0200]: Intel Corporation 82579V Gigabit Network Connection [8086:1503]",
     function(0x8086, 0x1503, 0x020000, caps=[PM, MSI])),
    ("00:1a.0", "USB controller [0c03]: Intel Corporation 7 Series/C216 Chipset Family USB Enhanced Host Controller #2 [8086:1e2d]",
     function(0x8086, 0x1e2d, 0x0c0320, caps=[PM])),
    ("00:1b.0", "Audio device [0403]: Intel Corporation 7 Series/C216 Chipset Family High Definition Audio Controller [8086:1e20]",
     function(0x8086, 0x1e20, 0x040300, caps=[PM, MSI, pcie(9)])),
    ("00:1c.0", "PCI bridge [0604]: Intel Corporation 7 Series/C216 Chipset Family PCI Express Root Port 1 [8086:1e10]",
     function(0x8086, 0x1e10, 0x060400, header=1, sec=2, caps=[pcie(4), MSI], multi=True)),
    ("00:1c.4", "PCI bridge [0604]: Intel Corporation 7 Series/C210 Series Chipset Family PCI Express Root Port 5 [8086:1e18]",
     function(0x8086, 0x1e18, 0x060400, header=1, sec=3, caps=[pcie(4), MSI], multi=True)),
    ("00:1c.6", "PCI bridge [0604]: Intel Corporation 82801 PCI Bridge [8086:244e]",
     function(0x8086, 0x244e, 0x060401, header=1, sec=4, caps=[pcie(4), MSI], multi=True)),
    ("00:1d.0", "USB controller [0c03]: Intel Corporation 7 Series/C216 Chipset Family USB Enhanced Host Controller #1 [8086:1e26]",
     function(0x8086, 0x1e26, 0x0c0320, caps=[PM])),
    ("00:1f.0", "ISA bridge [0601]: Intel Corporation Z77 Express Chipset LPC Controller [8086:1e44]",
     function(0x8086, 0x1e44, 0x060100, multi=True)),
    ("00:1f.2", "SATA controller [0106]: Intel Corporation 7 Series/C210 Series Chipset Family 6-port SATA Controller [AHCI mode] [8086:1e02]",
     function(0x8086, 0x1e02, 0x010601, caps=[MSI, PM], multi=True)),
    ("00:1f.3", "SMBus [0c05]: Intel Corporation 7 Series/C216 Chipset Family SMBus Controller [8086:1e22]",
     function(0x8086, 0x1e22, 0x0c0500, multi=True)),
    ("01:00.0", "VGA compatible controller [0300]: Advanced Micro Devices, Inc. [AMD/ATI] Caicos [Radeon HD 6450/7450/8450 / R5 230 OEM] [1002:6779]",
     function(0x1002, 0x6779, 0x030000, caps=[PM, pcie(0), MSI], multi=True)),
    ("01:00.1", "Audio device [0403]: Advanced Micro Devices, Inc. [AMD/ATI] Caicos HDMI Audio [Radeon HD 6450 / 7450/8450/8490 OEM / R5 230/235/235X OEM] [1002:aa98]",
     function(0x1002, 0xaa98, 0x040300, caps=[PM, pcie(0), MSI])),
    ("03:00.0", "SATA controller [0106]: Marvell Technology Group Ltd. 88SE9123 PCIe SATA 6.0 Gb/s controller [1b4b:9123]",
     function(0x1b4b, 0x9123, 0x010601, caps=[PM, MSI, pcie(0)])),
    ("04:00.0", "PCI bridge [0604]: Intel Corporation 82801 PCI Bridge [8086:244e]",
     function(0x8086, 0x244e, 0x060401, header=1, sec=5, caps=[pcie(7)])),
]


def dmar():
    """DMAR: one DRHD for everything, one RMRR naming the three USB
    controllers (endpoint scopes on bus 0)"""
    drhd = struct.pack("<HHBBHQ", 0, 16, 1, 0, 0, 0xfed90000)
    scopes = b"".join(struct.pack("<BBHBBBB", 1, 8, 0, 0, 0, dev, fn)
                      for dev, fn in ((0x1d, 0), (0x1a, 0), (0x14, 0)))
    rmrr = struct.pack("<HHHHQQ", 1, 24 + len(scopes), 0, 0, 0xdb7e8000, 0xdb7fffff) + scopes
    body = struct.pack("<BB10s", 38, 1, b"\0" * 10) + drhd + rmrr
    length = 36 + len(body)
    header = bytearray(struct.pack("<4sIBB6s8sI4sI", b"DMAR", length, 1, 0, b"ALASKA", b"A M I   ",
                                   0x01072009, b"INTL", 1) + body)
    header[9] = (-sum(header)) & 0xFF
    return bytes(header)


def main():
    lines = ["# onestone-survey 1: BUILT by tests/conf/make-z77.py (the reference board as published, not a capture)",
             "## lspci"]
    for addr, desc, cfg in FUNCTIONS:
        lines.append("0000:%s %s" % (addr, desc))
        for off in range(0, 4096, 16):
            lines.append("%03x: %s" % (off, " ".join("%02x" % b for b in cfg[off:off + 16])))
        lines.append("")
    lines.append("## dmar")
    table = dmar()
    for off in range(0, len(table), 16):
        lines.append(" " + " ".join("%02x" % b for b in table[off:off + 16]))
    lines += ["## dmesg",
              "[    0.412311] DMAR: RMRR base: 0x000000db7e8000 end: 0x000000db7fffff",
              "[    0.893402] pci 0000:00:1c.0: Intel PCH root port ACS workaround enabled",
              "[    0.893411] pci 0000:00:1c.4: Intel PCH root port ACS workaround enabled"]
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
