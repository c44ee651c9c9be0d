# onestone: top-level build. `make` builds build/onestone.efi, the EFI test
# guest and the host tools; `make test`, `make run` and `make bench` install
# what they need first (tools/install-deps.sh, Debian packages only).

BUILD     := build
EFI_INC   := /usr/include/efi
EFI_LIB   := /usr/lib
CC        := gcc
LD        := ld
OBJCOPY   := objcopy

WARN      := -Wall -Wextra -Werror
EFI_CFLAGS := -std=gnu11 $(WARN) -O2 -fpic -ffreestanding -fno-stack-protector \
	-fno-stack-check -fshort-wchar -mno-red-zone -maccumulate-outgoing-args \
	-mgeneral-regs-only -fvisibility=hidden -fno-strict-aliasing \
	-DGNU_EFI_USE_MS_ABI -I$(EFI_INC) -I$(EFI_INC)/x86_64 -Iinclude -I.
# -z defs: an undefined symbol (a libgcc helper the compiler reached for,
# say) fails the link instead of jumping to nowhere at run time
EFI_LDFLAGS := -nostdlib -znocombreloc -shared -Bsymbolic -z defs -L$(EFI_LIB) -T linker.ld
HOST_CFLAGS := -std=gnu11 $(WARN) -O1 -g -Iinclude -I. -fsanitize=address,undefined

HV_SRCS := $(wildcard hv/core/*.c hv/x86/*.c hv/x86/*.S hv/vmx/*.c hv/vmx/*.S hv/vmx/exits/*.c hv/vtd/*.c)
ONESTONE_SRCS := $(wildcard boot/*.c boot/*.S drivers/*.c vtd/*.c) $(HV_SRCS)
ONESTONE_OBJS := $(patsubst %,$(BUILD)/efi/%.o,$(ONESTONE_SRCS))
TESTGUEST_SRCS := $(wildcard guest/testguest/*.c) boot/acpi_find.c boot/ecam.c
TESTGUEST_OBJS := $(patsubst %,$(BUILD)/efi/%.o,$(TESTGUEST_SRCS))
# the VT-d test program (QEMU): onestone's vtd/ code and what it builds on
VTDTEST_SRCS := guest/vtdtest/vtdtest.c $(wildcard vtd/*.c) hv/core/pgtable.c hv/core/log.c \
	hv/core/memrange.c drivers/uart16550.c drivers/pci.c drivers/edu.c boot/acpi_find.c \
	boot/efi_pages.c boot/test_report.c
VTDTEST_OBJS := $(patsubst %,$(BUILD)/efi/%.o,$(VTDTEST_SRCS))

# pure logic shared by onestone.efi and the host (unit tests, tools)
SHARED_SRCS := guest/mgmt/fold.c guest/mgmt/json.c guest/mgmt/http_parse.c guest/mgmt/bootargs.c \
	boot/config.c boot/elf_check.c boot/mgmt_platform.c boot/acpi_tables.c boot/ecam.c vtd/dmar.c vtd/fault.c vtd/unit.c vtd/inval.c hv/core/pgtable.c hv/x86/mtrr.c hv/core/memrange.c hv/vmx/ept_build.c \
	hv/vmx/vmx_caps.c hv/vmx/exits/exit_decode.c hv/core/log.c hv/x86/cpuid_policy.c hv/vmx/msr_bitmap.c hv/x86/mmio_decode.c \
	hv/x86/cr_checks.c hv/x86/ipi_policy.c hv/core/partition.c hv/core/log_ring.c hv/core/line_edit.c hv/core/console_cmd.c hv/core/out_ring.c \
	hv/core/uart_sink.c boot/acpi_s5.c boot/pci_groups.c boot/device_units.c tools/lspci_dump.c hv/core/device_irq.c hv/core/pci_reset.c
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/test_*.c))

.PHONY: all deps test unit emu run bench clean fuzz fuzzers
all: $(BUILD)/onestone.efi $(BUILD)/testguest.efi $(BUILD)/vtdtest.efi $(BUILD)/onestone-conf \
	$(BUILD)/mgmt.elf $(BUILD)/foldbench

# The management partition (guest/mgmt): newlib + lwIP from Debian's
# source packages (guest/mgmt/deps.mk), our code with -Werror.
include guest/mgmt/deps.mk
MGMT_SRCS := $(wildcard guest/mgmt/*.c guest/mgmt/*.S) drivers/uart16550.c drivers/pci.c \
	boot/acpi_tables.c
MGMT_OBJS := $(patsubst %,$(BUILD)/mgmt/%.o,$(MGMT_SRCS))
-include $(MGMT_OBJS:.o=.d)

$(BUILD)/mgmt/%.o: % | $(MGMT_DEPS_DONE)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(MGMT_CFLAGS) $(MGMT_WARN) $(MGMT_DEPFLAGS) -c $< -o $@

$(BUILD)/mgmt.elf: $(MGMT_OBJS) $(LWIP_LIB) guest/mgmt/mgmt.ld
	@echo "  LD      $@"
	@$(LD) -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments --gc-sections -T guest/mgmt/mgmt.ld \
		-o $@ $(MGMT_OBJS) $(LWIP_LIB) -L$(MGMT_LIBC_LIB) --start-group -lc -lm $(MGMT_LIBGCC) --end-group

$(BUILD)/foldbench: tools/foldbench.c guest/mgmt/fold.c guest/mgmt/fold.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -O2 -Iinclude -I. tools/foldbench.c guest/mgmt/fold.c -o $@

deps:
	@tools/install-deps.sh

$(BUILD)/efi/%.c.o: %.c $(wildcard include/*/*.h hv/*/*.h hv/vmx/exits/*.h boot/*.h drivers/*.h vtd/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(EFI_CFLAGS) -c $< -o $@

$(BUILD)/efi/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(EFI_CFLAGS) -c $< -o $@

$(BUILD)/%.so: linker.ld
	@echo "  LD      $@"
	@$(LD) $(EFI_LDFLAGS) $(EFI_LIB)/crt0-efi-x86_64.o $(filter %.o,$^) -o $@ -lefi -lgnuefi

$(BUILD)/onestone.so: $(ONESTONE_OBJS)
$(BUILD)/testguest.so: $(TESTGUEST_OBJS)
$(BUILD)/vtdtest.so: $(VTDTEST_OBJS)

$(BUILD)/%.efi: $(BUILD)/%.so
	@echo "  OBJCOPY $@"
	@$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
		-j '.rel.*' -j '.rela.*' -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@

CONF_TOOL_SRCS := tools/onestone-conf.c tools/conf_devices.c tools/lspci_dump.c tools/host_file.c boot/config.c \
	boot/elf_check.c boot/pci_groups.c boot/device_units.c vtd/dmar.c hv/core/log.c tools/host_uart.c
$(BUILD)/onestone-conf: $(CONF_TOOL_SRCS) $(wildcard include/onestone/*.h tools/*.h boot/*.h vtd/*.h)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -O2 -Iinclude -I. $(CONF_TOOL_SRCS) -o $@

# the shared sources are compiled once (with ASan+UBSan) and linked into
# every unit test
HEADERS := $(wildcard include/*/*.h hv/*/*.h hv/vmx/exits/*.h boot/*.h drivers/*.h vtd/*.h \
	tools/*.h guest/mgmt/*.h tests/unit/*.h)
UNIT_OBJS := $(patsubst %.c,$(BUILD)/unit/obj/%.o,$(SHARED_SRCS) tests/unit/host_stubs.c)
$(BUILD)/unit/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	@$(CC) $(HOST_CFLAGS) -DHOST_TEST -c $< -o $@

$(BUILD)/unit/%: tests/unit/%.c tests/unit/unit.h $(UNIT_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -DHOST_TEST $< $(UNIT_OBJS) -o $@

# test_jobs includes the partition's job table (guest/mgmt/jobs.c) itself
$(BUILD)/unit/test_jobs: guest/mgmt/jobs.c guest/mgmt/jobs.h guest/mgmt/mgmt.h

# libFuzzer targets (tests/fuzz/): Debian's clang 14 with ASan and UBSan
FUZZ_CC := clang-14
FUZZ_CFLAGS := -std=gnu11 $(WARN) -g -O1 -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined -Iinclude -I. -DHOST_TEST
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
# the shared sources instrumented once, linked into every target
FUZZ_OBJS := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(SHARED_SRCS) tests/unit/host_stubs.c)
$(BUILD)/fuzz/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJS)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_OBJS) -o $@
fuzzers: $(FUZZ_BINS)

# each target for FUZZ_SECONDS (default 180), a table of executions and crashes
fuzz: deps fuzzers
	@tools/fuzz.sh $(FUZZ_BINS)

unit: $(UNIT_TESTS)
	@tests/run-unit.sh $(UNIT_TESTS)

# The full suite: unit tests, then the emulator cases; one summary line.
test: deps all fuzzers
	@tests/run-all.sh

run: deps all
	@tools/run-demo.sh

bench: deps all
	@tools/bench.sh

clean:
	rm -rf $(BUILD)
