#!/bin/sh
# developer helper: rebuild and boot the test guest once under Bochs
set -e
cd "$(dirname "$0")/../.."
make -s build/onestone.efi build/testguest.efi | grep -v "^  " || true
conf=${1:-build/t/onestone.conf}
tools/mkesp.sh build/t/esp.img 16 build/onestone.efi='\EFI\BOOT\BOOTX64.EFI' "$conf"='\EFI\onestone\onestone.conf' build/testguest.efi='\EFI\test\testguest.efi'
tests/lib/bochs-run.sh $PWD/build/t/run1 ${MODEL:-corei7_ivy_bridge_3770k} 2 $PWD/build/t/esp.img "TESTGUEST-END|platform reset|X64 Exception" ${TIMEOUT:-300} || echo "run rc=$?"
cat build/t/run1/seconds
grep -v "^\s*$" build/t/run1/serial.txt | tail -${LINES:-40}
