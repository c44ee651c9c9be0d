#!/bin/sh
# Runs on the host: the configuration checker's case of `make test`
# (tests/run-all.sh calls "tests/conf/cases.sh check DIR"). build/onestone-conf
# checks the [primary]/[mgmt] file of issue 11 against an ESP directory
# holding the real build/mgmt.elf, then refuses bad files, each with its
# exact "FILE:LINE: message" and exit status 1.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/judge.sh"
name=$1 work=$2
mkdir -p "$work"
judge_init "conf-$name" "$work/results"
case $name in
check) ;;
survey)
    # tools/onestone-survey on a live machine: Debian's Linux under QEMU on
    # the GPU-and-audio topology, then the checker over what it wrote must
    # say exactly what it says over the committed capture of that machine
    dir=$root/tests/conf/topologies
    if "$root/tests/conf/capture-survey.sh" "$work/live.survey" q35 \
        -device pcie-root-port,id=rp1,chassis=1,bus=pcie.0,addr=1c.0,multifunction=on \
        -device VGA,bus=rp1,addr=0.0,multifunction=on -device ich9-intel-hda,bus=rp1,addr=0.1 \
        -device pcie-root-port,id=rp2,chassis=2,bus=pcie.0,addr=1c.1 -device e1000e,bus=rp2 \
        > "$work/capture.log" 2>&1; then
        pass "onestone-survey ran under Linux on the machine and wrote a survey with lspci's dump"
        cp "$dir/q35-gpu-audio.survey" "$work/saved.survey"
        printf '[mgmt]\nkernel = \\EFI\\onestone\\mgmt.elf\ncpus = 1\nmemory = 64M\ndevices = 01:00.1\ntoken = SECRET\n' > "$work/onestone.conf"
        (cd "$work" && "${ONESTONE_CONF:-$root/build/onestone-conf}" check onestone.conf --lspci live.survey > live.out 2>&1
         "${ONESTONE_CONF:-$root/build/onestone-conf}" check onestone.conf --lspci saved.survey 2>&1 | sed 's/saved.survey/live.survey/g' > saved.out)
        if diff -u "$work/saved.out" "$work/live.out" > "$work/diff"; then
            pass "the checker finds on the live survey exactly what it finds on the committed capture"
        else
            fail "the checker finds on the live survey exactly what it finds on the committed capture" "$(grep '^[-+][^-+]' "$work/diff" | head -3 | tr '\n' '|')"
        fi
        expect "$work/live.out" "the live survey's GPU/audio split is refused" 'a GPU and its audio function are split'
        expect "$work/live.out" "the live survey carries Linux's own groups, and the checker's are the same" 'the groups are the ones Linux formed on that machine'
    else
        fail "onestone-survey ran under Linux on the machine and wrote a survey with lspci's dump" "$(tail -3 "$work/capture.log" | tr '\n' '|')"
    fi
    exit 0 ;;
*) fail "known case" "no case named $name"; exit 0 ;;
esac
conf=${ONESTONE_CONF:-$root/build/onestone-conf}
esp=$work/esp
rm -rf "$esp"
mkdir -p "$esp/EFI/onestone"
cp "$root/build/mgmt.elf" "$esp/EFI/onestone/mgmt.elf"
head -c 4096 /dev/zero | tr '\0' 'x' > "$esp/EFI/onestone/notelf.elf"   # a text file
printf 'two words\n' > "$esp/EFI/onestone/bad.token"
printf 'tok3n\n' > "$esp/EFI/onestone/api.token"

good='console = com1
iommu = required

[primary]
boot_volume = self
boot_path = \EFI\Microsoft\Boot\bootmgfw.efi

[mgmt]
kernel = \EFI\onestone\mgmt.elf
cpus = 1                # how many; the last CPUs in MADT order
memory = 64M            # K, M or G suffix
checkpoint = 2M
devices = 00:19.0       # [SEG:]BB:DD.F or VVVV:DDDD, space or comma separated
token = SECRET          # or token_file = \EFI\onestone\api.token
address = dhcp          # or A.B.C.D/NN with gateway = A.B.C.D
port = 80
project = http://10.0.0.2:8000'

printf '%s\n' "$good" > "$work/good.conf"
if "$conf" check "$work/good.conf" --esp "$esp" > "$work/good.out" 2>&1 &&
   grep -q '^# kernel \\EFI\\onestone\\mgmt.elf: ELF-64 x86-64, 1 loadable segment(s), fits' "$work/good.out" &&
   grep -q '^devices = 0000:00:19.0$' "$work/good.out"; then
    pass "the issue's [primary]/[mgmt] file with the real mgmt.elf is accepted and shown"
else
    fail "the issue's [primary]/[mgmt] file with the real mgmt.elf is accepted and shown" \
        "$(tr '\n' '|' < "$work/good.out")"
fi
sed -e 's/^token = SECRET .*/token_file = \\EFI\\onestone\\api.token/' "$work/good.conf" > "$work/tokfile.conf"
if "$conf" check "$work/tokfile.conf" --esp "$esp" > "$work/tokfile.out" 2>&1 &&
   grep -q '^# token_file \\EFI\\onestone\\api.token: holds a token' "$work/tokfile.out"; then
    pass "a token_file holding one token is accepted"
else
    fail "a token_file holding one token is accepted" "$(tr '\n' '|' < "$work/tokfile.out")"
fi

# refused: SED_EXPR (applied to the good file) and the exact message
n=0
refused() {  # WHAT SED_EXPR MESSAGE [--esp]
    n=$((n + 1))
    f=$work/bad-$n.conf
    sed -e "$2" "$work/good.conf" > "$f"
    if [ "${4:-}" = --esp ]; then
        "$conf" check "$f" --esp "$esp" > /dev/null 2> "$work/bad-$n.out"
    else
        "$conf" check "$f" > /dev/null 2> "$work/bad-$n.out"
    fi
    rc=$?
    got=$(cat "$work/bad-$n.out")
    if [ "$rc" -eq 1 ] && [ "$got" = "$f:$3" ]; then
        pass "refused: $1"
    else
        fail "refused: $1" "exit $rc, got '$got', want '$f:$3'"
    fi
}
refused "an unknown section" 's/^\[primary\]/[storage]/' \
    "4: unknown section [storage] (known: [primary], [mgmt])"
refused "a key of another section" 's/^port = 80/iommu = off/' \
    "16: unknown key 'iommu' in [mgmt] (known: kernel, cpus, memory, checkpoint, devices, token, token_file, address, gateway, port, project, allow_split, test)"
refused "a [primary] key given globally too" '1i boot_path = \\x.efi' \
    "7: key 'boot_path' given twice (first on line 1)"
refused "[mgmt] twice" '$a [mgmt]' "18: section [mgmt] given twice (first on line 8)"
refused "[mgmt] without kernel" '/^kernel =/d' "8: [mgmt] needs kernel (the partition's ELF64 file)"
refused "[mgmt] without a token" '/^token =/d' "8: [mgmt] needs token or token_file (the API's bearer token)"
refused "a malformed device" 's/^devices = .*/devices = 00:19/' \
    "13: devices: '00:19' is not [SEG:]BB:DD.F or VVVV:DDDD (hexadecimal, as lspci prints it)"
refused "a device listed twice" 's/^devices = .*/devices = 00:19.0, 0000:00:19.0/' \
    "13: devices: '0000:00:19.0' is listed twice"
refused "memory not in 2M steps" 's/^memory = .*/memory = 63M/' \
    "11: memory: '63M' is not a size from 16M to 64G in whole 2M steps (K, M or G suffix)"
refused "no CPUs" 's/^cpus = .*/cpus = 0/' "10: cpus: '0' is not a number of CPUs from 1 to 63"
refused "a gateway with DHCP" 's/^port = 80/gateway = 10.0.0.1/' \
    "16: gateway: only with a static address (address = A.B.C.D/NN)"
refused "a checkpoint as large as the memory" 's/^checkpoint = .*/checkpoint = 64M/' \
    "12: checkpoint: must be smaller than the partition's memory"
refused "a project that is not http://A.B.C.D" 's|^project = .*|project = https://example.org/|' \
    "17: project: 'https://example.org/' is not http://A.B.C.D[:PORT][/PATH] (under 128 characters)"
refused "a kernel file that is missing" 's/mgmt.elf/nowhere.elf/' \
    "9: kernel: \\EFI\\onestone\\nowhere.elf ($esp/EFI/onestone/nowhere.elf) cannot be opened" --esp
refused "a kernel that is not ELF" 's/mgmt.elf/notelf.elf/' \
    "9: kernel: \\EFI\\onestone\\notelf.elf: not an ELF file" --esp
refused "a kernel larger than the partition's memory" 's/^memory = .*/memory = 16M/; s/^checkpoint = .*/checkpoint = 15M/' \
    "9: kernel: \\EFI\\onestone\\mgmt.elf: a loadable segment does not fit in the partition's memory (below its checkpoint range)" --esp
refused "a token_file that does not hold one token" 's/^token = SECRET .*/token_file = \\EFI\\onestone\\bad.token/' \
    "14: token_file: \\EFI\\onestone\\bad.token must hold one token of 1-63 printable characters without spaces" --esp
# the device checks against real topologies (tests/conf/topologies/)
"$root/tests/conf/topologies.sh" "$work/topologies.results"
cat "$work/topologies.results" >> "$work/results"
exit 0
