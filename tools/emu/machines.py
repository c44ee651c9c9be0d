"""Runs on the host: the emulated machines onestone is tested and shown on,
as watch.Emulator objects: Bochs 2.7 + OVMF (VT-x), QEMU 7.2 + OVMF (VT-d;
nested KVM where the host has it) and QEMU booting the management partition
(build/mgmt.elf) directly. Each writes only into its work directory (and a
short-lived directory under $TMPDIR for QEMU's monitor socket, whose path
must stay under 108 bytes), uses no fixed TCP port and no display or sound
device of the host.
"""
import os
import re
import shutil
import socket
import tempfile
import time

from watch import Emulator, shown_path

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.dirname(os.path.abspath(__file__))
OVMF_BOCHS = "/usr/share/qemu/OVMF.fd"
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
QEMU = "qemu-system-x86_64"


def _fresh(work, *names):
    os.makedirs(work, exist_ok=True)
    for n in names:
        try:
            os.unlink(os.path.join(work, n))
        except FileNotFoundError:
            pass


def listening_tcp_ports(pid):
    """The TCP ports process PID listens on (IPv4), from /proc: a forward
    asked for with port 0 is bound to whatever port the kernel picked."""
    inodes = set()
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        return []
    ports = []
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:     # TCP_LISTEN
                ports.append(int(fields[1].split(":")[1], 16))
    return ports


def free_host_port(preferred=0):
    """PREFERRED if nothing on this host listens on 127.0.0.1:PREFERRED
    (0: none), else a port the kernel has just handed out."""
    for port in ([preferred] if preferred else []) + [0]:
        with socket.socket() as s:
            # as slirp binds its forward: a port left in TIME_WAIT by the
            # last run's connections is free
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise OSError("no free TCP port on 127.0.0.1")


def bochs(work, model, cpus, image, ips=10000000, com1_tty=None, nic_port=None,
          host_port=None, com2_tty=None, devices=None):
    """Bochs booting OVMF from a copy of IMAGE (WORK/disk.img: Bochs leaves
    a lock file beside the image it ran). COM1 goes to WORK/serial.txt, or
    to the terminal device COM1_TTY (a pseudo-terminal the caller relays;
    it then writes WORK/serial.txt itself); COM2, the port a guest keeps
    when onestone owns COM1 (its console), likewise to WORK/serial2.txt or
    COM2_TTY. NIC_PORT (a guest TCP port)
    adds an e1000 in PCI slot 1 on slirp user networking, with a forward
    from 127.0.0.1 to that guest port; the host side (WORK/host_port) is
    HOST_PORT or else a port the kernel just handed out, which
    listening_tcp_ports(pid) shows Bochs holding once it is up. DEVICES (a
    directory holding usb.img and ide.img) adds the devices the passthrough
    checks drive: the PCI display (pcivga, Bochs VBE), an ES1370 sound card
    writing what it plays to DEVICES/es1370.wav, an EHCI controller (with
    its UHCI companions) with DEVICES/usb.img as a USB disk on its first
    port, and DEVICES/ide.img as the second disk on the IDE channel (both
    used in place). Not Bochs's xHCI: Bochs 2.7 decodes only the low half
    of its 64-bit BAR, which OVMF places above 4 GiB, so neither the
    firmware nor Linux can reach it."""
    _fresh(work, "serial.txt", "serial2.txt", "bochs.log", "bochs.out", "disk.img", "disk.img.lock")
    for path in (work, image):
        if re.search(r"[\s,\"]", os.path.abspath(path)):
            raise ValueError("Bochs cannot take a path with spaces, commas or quotes: %s" % path)
    disk = os.path.join(work, "disk.img")
    serial = os.path.join(work, "serial.txt")
    shutil.copyfile(image, disk)
    com1 = "mode=term, dev=%s" % com1_tty if com1_tty else "mode=file, dev=%s" % serial
    serial2 = os.path.join(work, "serial2.txt")
    com2 = "mode=term, dev=%s" % com2_tty if com2_tty else "mode=file, dev=%s" % serial2
    with open(os.path.join(HERE, "bochsrc.in")) as f:
        rc = f.read()
    slots, nic = "", ""
    if nic_port:
        # Bochs's slirp refuses port 0: take one the kernel has just handed
        # out; the caller checks with listening_tcp_ports that Bochs got it
        host_port = host_port or free_host_port()
        slirp = os.path.join(work, "slirp.conf")
        with open(slirp, "w") as f:
            f.write("# slirp config\nhostfwd = tcp:127.0.0.1:%d-:%d\n" % (host_port, nic_port))
        with open(os.path.join(work, "host_port"), "w") as f:
            f.write("%d\n" % host_port)
        slots = ", slot1=e1000"
        nic = "e1000: enabled=1, mac=52:54:00:12:34:56, ethmod=slirp, script=%s" % slirp
    extra = ""
    if devices:
        for name in ("usb.img", "ide.img"):
            if not os.path.exists(os.path.join(devices, name)):
                raise ValueError("the device machine needs %s" % os.path.join(devices, name))
        if re.search(r"[\s,\"]", os.path.abspath(devices)):
            raise ValueError("Bochs cannot take a path with spaces, commas or quotes: %s" % devices)
        slots += ", slot2=pcivga, slot3=es1370, slot4=usb_ehci"
        extra = "\n".join([
            "vga: extension=vbe",
            "es1370: enabled=1, wavemode=2, wavefile=%s" % os.path.join(devices, "es1370.wav"),
            "usb_ehci: enabled=1, port1=disk, options1=\"path:%s\"" % os.path.join(devices, "usb.img"),
            "ata0-slave: type=disk, path=%s, mode=flat" % os.path.join(devices, "ide.img")])
    for key, val in (("@PCI_SLOTS@", slots), ("@NIC@", nic), ("@DEVICES@", extra),
                     ("@COM1@", com1), ("@COM2@", com2), ("@CPU_MODEL@", model), ("@CPUS@", str(cpus)),
                     ("@IPS@", str(ips)), ("@DISK@", disk),
                     ("@LOG@", os.path.join(work, "bochs.log"))):
        rc = rc.replace(key, val)
    with open(os.path.join(work, "bochsrc"), "w") as f:
        f.write(rc)
    # Bochs's debugger stops before the first instruction: 'c' goes on
    with open(os.path.join(work, "debugger.rc"), "w") as f:
        f.write("c\n")
    open(serial, "w").close()
    open(serial2, "w").close()
    emu = Emulator("Bochs", ["bochs", "-q", "-f", os.path.join(work, "bochsrc"), "-rc",
                             os.path.join(work, "debugger.rc")],
                   output=os.path.join(work, "bochs.out"), serial=serial, serial2=serial2)
    emu.cleanup = [disk, disk + ".lock"]
    return emu


def qemu_ovmf(work, image, extra=(), accel="tcg", machine="q35", mem=512, cpus=1):
    """QEMU booting OVMF (its own variable store in WORK) from IMAGE."""
    _fresh(work, "serial.txt", "qemu.out", "qemu.pid")
    serial = os.path.join(work, "serial.txt")
    pid = os.path.join(work, "qemu.pid")
    vars_fd = os.path.join(work, "vars.fd")
    shutil.copyfile(OVMF_VARS, vars_fd)
    open(serial, "w").close()
    argv = [QEMU, "-machine", machine, "-accel", accel, "-m", str(mem), "-smp", str(cpus),
            "-drive", "if=pflash,format=raw,readonly=on,file=" + OVMF_CODE,
            "-drive", "if=pflash,format=raw,file=" + vars_fd,
            "-drive", "format=raw,file=" + image,
            "-display", "none", "-serial", "file:" + serial, "-monitor", "none",
            "-net", "none", "-pidfile", pid] + list(extra)
    emu = Emulator("QEMU", argv, output=os.path.join(work, "qemu.out"), serial=serial,
                   alive=[pid])
    emu.cleanup = []
    return emu


def kvm(work, cpus, image, nic_port=None):
    """The Bochs cases' machine under QEMU/KVM with nested VMX: the host's
    CPU, q35 with a split irqchip (and an MCFG table, so ECAM is there).
    NIC_PORT adds an e1000 on user networking with a forward from
    127.0.0.1 (WORK/host_port, as for bochs())."""
    extra = ["-cpu", "host,+vmx"]
    if nic_port:
        os.makedirs(work, exist_ok=True)
        host_port = free_host_port()
        with open(os.path.join(work, "host_port"), "w") as f:
            f.write("%d\n" % host_port)
        extra += ["-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:%d" % (host_port, nic_port),
                  "-device", "e1000,netdev=n0"]
    return qemu_ovmf(work, image, extra, accel="kvm",
                     machine="q35,kernel-irqchip=split", mem=1024, cpus=cpus)


class Monitor:
    """QEMU's human monitor on a UNIX socket."""

    def __init__(self, path):
        self.path = path

    def command(self, cmd, timeout=10):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(timeout)
        s.connect(self.path)
        try:
            self._until_prompt(s)
            s.sendall((cmd + "\n").encode())
            return self._until_prompt(s)
        finally:
            s.close()

    @staticmethod
    def _until_prompt(s):
        out = b""
        while not out.rstrip().endswith(b"(qemu)"):
            b = s.recv(65536)
            if not b:
                break
            out += b
        return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", out.decode("utf-8", "replace"))


class MgmtPartition:
    """QEMU 7.2 (TCG) booting build/mgmt.elf directly (multiboot), its e1000
    on user networking with the API forwarded to 127.0.0.1:PORT. PORT 0
    (the default) lets the kernel pick a free port, read back from QEMU's
    monitor: two runs at once never collide. The serial log is
    WORK/serial-N.txt."""
    count = 0

    def __init__(self, work, append, cpus=1, port=0, accel="tcg"):
        MgmtPartition.count += 1
        n = MgmtPartition.count
        os.makedirs(work, exist_ok=True)
        self.sockdir = tempfile.mkdtemp(prefix="onestone-qemu-")
        self.monitor = Monitor(os.path.join(self.sockdir, "monitor.sock"))
        self.serial = os.path.join(work, "serial-%d.txt" % n)
        pid = os.path.join(work, "qemu-%d.pid" % n)
        self.want_port = port
        self.port = None
        open(self.serial, "w").close()
        argv = [QEMU, "-machine", "q35", "-accel", accel, "-m", "256", "-smp", str(cpus),
                "-kernel", os.path.join(ROOT, "build", "mgmt.elf"), "-append", append,
                "-display", "none", "-serial", "file:" + self.serial,
                "-monitor", "unix:%s,server,nowait" % self.monitor.path, "-pidfile", pid,
                "-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:80" % port,
                "-device", "e1000,netdev=n0"]
        self.emu = Emulator("QEMU", argv, output=os.path.join(work, "qemu-%d.out" % n),
                            serial=self.serial, alive=[pid])

    def start(self, timeout=30):
        """Starts QEMU and learns the API's host port. Returns None, or the
        one-line report of an emulator that failed."""
        self.emu.start()
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            failure = self.emu.check()
            if failure:
                return failure
            if os.path.exists(self.monitor.path):
                try:
                    table = self.monitor.command("info usernet")
                except OSError:
                    table = ""
                m = re.search(r"TCP\[HOST_FORWARD\]\s+\d+\s+127\.0\.0\.1\s+(\d+)\s+", table)
                if m:
                    self.port = int(m.group(1))
                    return None
            time.sleep(0.2)
        self.stop()
        return "QEMU showed no API port forward in its monitor within %d s (log: %s)" % (
            timeout, shown_path(self.emu.output))

    def log(self):
        return self.emu.serial_text()

    def stop(self):
        self.emu.stop()
        shutil.rmtree(self.sockdir, ignore_errors=True)
