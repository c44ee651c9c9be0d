#!/bin/sh
# Runs on the host: boots one machine under QEMU/KVM with nested VMX (an
# Intel host with kvm_intel nested=1), the same interface as bochs-run.sh:
# usage: kvm-run.sh WORKDIR CPU_MODEL(ignored) CPUS ESP_IMAGE END_REGEX TIMEOUT_S
# The guest CPU is the host's (-cpu host,+vmx); q35 with a split irqchip.
exec python3 "$(dirname "$0")/../../tools/emu/cli.py" kvm "$@"
