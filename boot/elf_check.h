/* Runs in UEFI boot services (onestone.efi) and on the host (tools/,
 * tests/unit): checks that a partition kernel is an ELF-64 x86-64
 * executable whose loadable segments lie inside the partition's memory,
 * before anything of it is loaded. The image is untrusted input: every
 * offset and size is checked against the file and against overflow. */
#ifndef BOOT_ELF_CHECK_H
#define BOOT_ELF_CHECK_H

#include <stddef.h>
#include <stdint.h>

#define ELF_LOAD_MAX 8

struct elf_load {
    uint64_t offset, paddr, filesz, memsz;
};

struct elf_image {
    uint64_t entry;
    unsigned count;
    struct elf_load load[ELF_LOAD_MAX];
};

/* IMAGE (LEN bytes) must load below LIMIT (the partition's memory less its
 * checkpoint range, guest-physical from 0). Returns 0 and fills *out, or
 * -1 with *why set to a static explanation. */
int elf_check(const uint8_t *image, size_t len, uint64_t limit, struct elf_image *out,
              const char **why);

#endif
