#!/usr/bin/env python3
"""Runs on the host, by a developer: (re)writes the seed inputs of the
libFuzzer targets, tests/fuzz/corpus/TARGET/, from inputs the project
already has (the checker's surveys, QEMU's DMAR table in tests/unit,
the README's onestone.conf) and small hand-made ones. `make fuzz` grows
its own corpus from these in build/fuzz/; `make test` replays these.
"""
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
CORPUS = os.path.join(HERE, "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def c_arrays(path):
    """the byte arrays of a C header: name -> bytes"""
    text = open(path).read()
    out = {}
    for m in re.finditer(r"static const uint8_t (\w+)\[\d*\] = \{([^}]*)\}", text):
        out[m.group(1)] = bytes(int(x, 16) for x in re.findall(r"0x([0-9a-fA-F]{2})", m.group(2)))
    return out


def survey_dmar(path):
    """the DMAR table in a survey's ## dmar section"""
    lines, on = [], False
    for line in open(path):
        if line.startswith("## "):
            on = line.strip() == "## dmar"
            continue
        if on:
            lines.append(line)
    return bytes(int(x, 16) for x in " ".join(lines).split())


def mcfg(bases):
    body = b"".join(struct.pack("<QHBBI", base, seg, start, end, 0) for base, seg, start, end in bases)
    length = 44 + len(body)
    t = bytearray(struct.pack("<4sIBB6s8sI4sI", b"MCFG", length, 1, 0, b"ONESTN", b"FUZZSEED", 1,
                              b"ONES", 1) + b"\0" * 8 + body)
    t[9] = (-sum(t)) & 0xFF
    return bytes(t)


def elf(segments, entry=0x100000):
    """an ELF-64 x86-64 executable with PT_LOAD segments (paddr, filesz, memsz)"""
    phoff, phnum = 64, len(segments)
    data_off = phoff + 56 * phnum
    hdr = struct.pack("<4sBBBBB7sHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0, b"\0" * 7, 2, 62, 1,
                      entry, phoff, 0, 0, 64, 56, phnum, 64, 0, 0)
    ph, blob, off = b"", b"", data_off
    for paddr, filesz, memsz in segments:
        ph += struct.pack("<IIQQQQQQ", 1, 5, off, paddr, paddr, filesz, memsz, 0x1000)
        blob += b"\x90" * filesz
        off += filesz
    return hdr + ph + blob


def main():
    topo = os.path.join(ROOT, "tests", "conf", "topologies")
    # onestone.conf
    readme = open(os.path.join(ROOT, "README.md")).read()
    m = re.search(r"```\n(console = com1\n.*?)```", readme, re.S)
    put("config", "readme-example.conf", m.group(1))
    put("config", "partuuid.conf", "[primary]\nboot_volume = partuuid:4f6e6573-746f-6e65-5553-420000000001\n"
        "boot_path = \\EFI\\Microsoft\\Boot\\bootmgfw.efi\nhide_hypervisor = yes\n")
    put("config", "mgmt-split.conf", "log_level = debug\n[mgmt]\nkernel = \\EFI\\onestone\\mgmt.elf\n"
        "cpus = 2\nmemory = 1G\ncheckpoint = 4M\ndevices = 8086:1503, 0000:03:00.0\n"
        "token_file = \\EFI\\onestone\\api.token\naddress = 10.0.0.5/24\ngateway = 10.0.0.1\n"
        "port = 8080\nproject = http://10.0.0.2:8000/units\nallow_split = yes\n")
    # DMAR: QEMU's (tests/unit) and the Z77 board's with an RMRR
    for name, data in c_arrays(os.path.join(ROOT, "tests", "unit", "dmar_fixtures.h")).items():
        put("dmar", name + ".bin", data)
    put("dmar", "z77-rmrr.bin", survey_dmar(os.path.join(topo, "z77-reference.survey")))
    # MCFG: the first 4 bytes pick segment, bus, device, function
    put("mcfg", "one-window.bin", b"\0\x00\x03\x00" + mcfg([(0xB0000000, 0, 0, 255)]))
    put("mcfg", "two-windows.bin", b"\x01\x40\x1f\x07" + mcfg([(0xE0000000, 0, 0, 63),
                                                               (0xF0000000, 1, 64, 127)]))
    # ELF
    put("elf", "one-segment.elf", elf([(0x100000, 64, 4096)]))
    put("elf", "two-segments.elf", elf([(0x100000, 32, 32), (0x200000, 16, 0x10000)]))
    # lspci: a small real survey and a plain dump cut from one
    put("lspci", "pc-i440fx.survey", open(os.path.join(topo, "pc-i440fx.survey")).read())
    q35 = open(os.path.join(topo, "q35-gpu-audio.survey")).read()
    put("lspci", "q35-head.survey", q35[:20000])
    # HTTP
    put("http", "get-status.txt", "GET /status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t0ken\r\n\r\n")
    put("http", "post-job.txt", "POST /jobs HTTP/1.1\r\nAuthorization: Bearer t0ken\r\n"
        "Content-Type: application/json\r\nContent-Length: 29\r\n\r\n{\"sequence\":\"HPHP\",\"moves\":9}")
    put("http", "two-lengths.txt", "POST /jobs HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}")
    put("http", "chunked.txt", "POST /compute HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
    # JSON
    put("json", "job.json", "{\"sequence\":\"HPPHHPHH\",\"moves\":2000000,\"seed\":7,\"cpus\":null}")
    put("json", "escapes.json", "{\"s\":\"a\\u00e9\\n\\\"q\\\"\",\"n\":-1.5e3,\"t\":true,\"f\":false}")
    # boot arguments
    put("bootargs", "static.txt", "mgmt.elf token=SECRET ip=10.0.0.5/24 gw=10.0.0.1 port=80 "
        "project=http://10.0.0.2:8000/ ckpt=0x3e00000:0x200000 nic=00:19.0")
    put("bootargs", "dhcp.txt", "token=abc dhcp")
    # console: typed lines with editing keys and escapes
    put("console", "commands.txt", "status\rstats 1\rlog 20 -f\rmgmt restart\rreboot --yes\r")
    put("console", "editing.txt", "sta\t\x7f\x7fts\x1b[D\x1b[C\x1b[A\x1b[B\x01\x05\x0b\x15\r"
        "--json stats\r\x1b[3~\x1bOH\x1b[1;5C\x03\r\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
