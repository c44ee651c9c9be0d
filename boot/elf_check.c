/* Runs in UEFI boot services and on the host: see elf_check.h.
 * Freestanding: no libc. */
#include "boot/elf_check.h"
#include "onestone/mgmt_abi.h"
#include "onestone/elf64.h"

static void copy_bytes(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    while (n--)
        *d++ = *s++;
}

/* [start, start + size) lies within [0, limit), without overflow */
static int fits(uint64_t start, uint64_t size, uint64_t limit)
{
    return start <= limit && size <= limit - start;
}

int elf_check(const uint8_t *image, size_t len, uint64_t limit, struct elf_image *out,
              const char **why)
{
    Elf64_Ehdr eh;
    if (len < sizeof eh) {
        *why = "shorter than an ELF-64 header";
        return -1;
    }
    copy_bytes(&eh, image, sizeof eh);
    if (eh.e_ident[0] != 0x7F || eh.e_ident[1] != 'E' || eh.e_ident[2] != 'L' ||
        eh.e_ident[3] != 'F') {
        *why = "not an ELF file";
        return -1;
    }
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
        eh.e_ident[EI_VERSION] != EV_CURRENT || eh.e_version != EV_CURRENT) {
        *why = "not a little-endian ELF-64 file of version 1";
        return -1;
    }
    if (eh.e_type != ET_EXEC || eh.e_machine != EM_X86_64) {
        *why = "not an x86-64 executable (ET_EXEC, EM_X86_64)";
        return -1;
    }
    if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phnum > 64 ||
        !fits(eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr), len)) {
        *why = "program header table missing, malformed or outside the file";
        return -1;
    }
    struct elf_image img = { .entry = eh.e_entry, .count = 0 };
    int entry_inside = 0;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        copy_bytes(&ph, image + eh.e_phoff + (uint64_t)i * sizeof ph, sizeof ph);
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        if (ph.p_filesz > ph.p_memsz || !fits(ph.p_offset, ph.p_filesz, len)) {
            *why = "a loadable segment's file bytes lie outside the file";
            return -1;
        }
        if (ph.p_paddr < MGMT_BOOT_AREA_END) {
            *why = "a loadable segment lies below 0x10000, where onestone puts the boot "
                   "parameters and initial page tables";
            return -1;
        }
        if (!fits(ph.p_paddr, ph.p_memsz, limit)) {
            *why = "a loadable segment does not fit in the partition's memory "
                   "(below its checkpoint range)";
            return -1;
        }
        for (unsigned k = 0; k < img.count; k++) {
            const struct elf_load *o = &img.load[k];
            if (ph.p_paddr < o->paddr + o->memsz && o->paddr < ph.p_paddr + ph.p_memsz) {
                *why = "two loadable segments overlap";
                return -1;
            }
        }
        if (img.count == ELF_LOAD_MAX) {
            *why = "more than 8 loadable segments";
            return -1;
        }
        img.load[img.count++] = (struct elf_load){ ph.p_offset, ph.p_paddr, ph.p_filesz,
                                                   ph.p_memsz };
        if (eh.e_entry >= ph.p_paddr && eh.e_entry - ph.p_paddr < ph.p_memsz)
            entry_inside = 1;
    }
    if (!img.count) {
        *why = "no loadable segment";
        return -1;
    }
    if (!entry_inside) {
        *why = "the entry point lies outside every loadable segment";
        return -1;
    }
    *out = img;
    return 0;
}
