# The management partition's third-party code: newlib (libc, libm) and
# lwIP 2.1.3, both from Debian's source packages, built on the host and
# cached under $(BUILD). Included by the top-level Makefile, which defines
# BUILD (and links build/mgmt.elf itself).
#
#   $(BUILD)/newlib/.done   tools/build-newlib.sh: newlib for x86_64-elf,
#                           installed in $(BUILD)/newlib/sysroot (2.5 min
#                           cold on 2 idle cores, instant afterwards)
#   $(BUILD)/lwip/.done     tools/build-lwip.sh: lwIP's source, unpacked in
#                           $(BUILD)/lwip/src (a few seconds)
#   $(BUILD)/mgmt/lwip.a    the lwIP files of LWIP_SRCS, compiled with our
#                           port headers (guest/mgmt/port)
#
# Objects of the partition should depend order-only on MGMT_DEPS_DONE
# (| $(MGMT_DEPS_DONE)) so newlib's headers exist before they compile.

MGMT_NEWLIB_DIR := $(BUILD)/newlib
MGMT_SYSROOT    := $(MGMT_NEWLIB_DIR)/sysroot/x86_64-elf
# newlib's headers, and the directory holding libc.a and libm.a
MGMT_LIBC_INC   := $(MGMT_SYSROOT)/include
MGMT_LIBC_LIB   := $(MGMT_SYSROOT)/lib
# gcc's own freestanding headers (stddef.h, stdarg.h, float.h...) and libgcc
MGMT_GCC_INC    := $(shell gcc -print-file-name=include)
MGMT_LIBGCC     := $(shell gcc -print-libgcc-file-name)

# lwIP's unpacked source root (holds src/, doc/, debian/...)
LWIP_DIR        := $(BUILD)/lwip/src
# NO_SYS raw API, IPv4: TCP, UDP, DHCP, ICMP, ARP/Ethernet (guest/mgmt/port/
# lwipopts.h). Paths relative to $(LWIP_DIR)/src. Not a $(wildcard): the
# source does not exist until $(BUILD)/lwip/.done has run. Files whose
# module lwipopts.h turns off (dns.c, raw.c, stats.c, sys.c, altcp*.c,
# autoip.c, igmp.c, ipv6/) are left out.
LWIP_SRCS := \
	core/init.c core/def.c core/inet_chksum.c core/ip.c core/mem.c \
	core/memp.c core/netif.c core/pbuf.c core/timeouts.c \
	core/tcp.c core/tcp_in.c core/tcp_out.c core/udp.c \
	core/ipv4/dhcp.c core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4.c \
	core/ipv4/ip4_addr.c core/ipv4/ip4_frag.c \
	netif/ethernet.c
LWIP_INC  := -I$(LWIP_DIR)/src/include -Iguest/mgmt/port
LWIP_OBJS := $(patsubst %.c,$(BUILD)/mgmt/lwip/%.o,$(LWIP_SRCS))
LWIP_LIB  := $(BUILD)/mgmt/lwip.a

MGMT_DEPS_DONE := $(MGMT_NEWLIB_DIR)/.done $(BUILD)/lwip/.done

# Compiler flags for everything in the partition (our files and lwIP's):
# 64-bit CPL0, identity-mapped, static non-PIE, linked at 1-16 MiB (so
# -mcmodel=small); SSE stays on (newlib's libm and strtod use it); no red
# zone (exceptions push onto the current stack). Only newlib's and gcc's
# headers, never the host's.
MGMT_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdinc \
	-isystem $(MGMT_LIBC_INC) -idirafter $(MGMT_GCC_INC) \
	-mno-red-zone -fno-stack-protector -fno-stack-check -fno-pie \
	-mcmodel=small -ffunction-sections -fdata-sections \
	-fno-strict-aliasing $(LWIP_INC) -Iinclude -I.
# warnings for the partition's own files; lwIP's are built without -Werror
MGMT_WARN := -Wall -Wextra -Werror
# dependency files: -MD (not -MMD) because newlib's headers are -isystem,
# and a rebuilt newlib should recompile what includes them
MGMT_DEPFLAGS := -MD -MP

$(MGMT_NEWLIB_DIR)/.done: tools/build-newlib.sh
	@tools/build-newlib.sh $(BUILD)

$(BUILD)/lwip/.done: tools/build-lwip.sh
	@tools/build-lwip.sh $(BUILD)

# The lwIP sources appear when the fetch runs: listing them as explicit
# targets (not intermediate, so never deleted) lets make build the objects
# on a clean tree. Order-only: a re-run of the fast path of the fetch does
# not make every object stale; a real re-fetch rewrites the files, whose
# new mtimes then do.
$(addprefix $(LWIP_DIR)/src/,$(LWIP_SRCS)): | $(BUILD)/lwip/.done
	@test -f $@ || { echo "lwIP source $@ missing after tools/build-lwip.sh" >&2; exit 1; }

# lwIP's own code: -Wall (it is clean with -Wall -Wextra for gcc 12), no
# -Werror, so a newer compiler's new warning cannot break the build.
$(LWIP_OBJS): $(BUILD)/mgmt/lwip/%.o: $(LWIP_DIR)/src/%.c | $(MGMT_DEPS_DONE)
	@mkdir -p $(@D)
	@echo "  CC      lwip/$*.c"
	@$(CC) $(MGMT_CFLAGS) -Wall $(MGMT_DEPFLAGS) -c $< -o $@

$(LWIP_LIB): $(LWIP_OBJS)
	@echo "  AR      $@"
	@rm -f $@
	@ar rcs $@ $^

-include $(LWIP_OBJS:.o=.d)
