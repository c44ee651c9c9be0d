/* boot/elf_check.c: the management partition's kernel is untrusted input
 * read from the ESP; a file that is not an ELF-64 executable, or whose
 * segments would land outside the partition's memory, must be refused
 * before anything is loaded. */
#include "boot/elf_check.h"
#include "onestone/elf64.h"
#include "unit.h"

static uint8_t file[8192];

/* an ELF-64 x86-64 executable with one segment at 1 MiB, as mgmt.ld links */
static size_t make_elf(unsigned phnum)
{
    memset(file, 0, sizeof file);
    Elf64_Ehdr eh = {
        .e_ident = { 0x7F, 'E', 'L', 'F', ELFCLASS64, ELFDATA2LSB, EV_CURRENT },
        .e_type = ET_EXEC, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
        .e_entry = 0x100020, .e_phoff = sizeof eh, .e_ehsize = sizeof eh,
        .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = (uint16_t)phnum,
    };
    memcpy(file, &eh, sizeof eh);
    for (unsigned i = 0; i < phnum; i++) {
        Elf64_Phdr ph = {
            .p_type = PT_LOAD, .p_flags = 7, .p_offset = 4096,
            .p_vaddr = 0x100000 + i * 0x200000ull, .p_paddr = 0x100000 + i * 0x200000ull,
            .p_filesz = 4096, .p_memsz = 0x1b6024, .p_align = 4096,
        };
        memcpy(file + sizeof eh + i * sizeof ph, &ph, sizeof ph);
    }
    return sizeof file;
}

static Elf64_Phdr *phdr(unsigned i)
{
    return (Elf64_Phdr *)(file + sizeof(Elf64_Ehdr) + i * sizeof(Elf64_Phdr));
}

static Elf64_Ehdr *ehdr(void)
{
    return (Elf64_Ehdr *)file;
}

#define LIMIT (62ull << 20)    /* 64M less a 2M checkpoint */

static void expect_refused(size_t len, uint64_t limit, const char *want, int line)
{
    struct elf_image img;
    const char *why = 0;
    if (!CHECK_EQ_U64(elf_check(file, len, limit, &img, &why), (uint64_t)-1) ||
        !CHECK_CONTAINS(why, want))
        printf("  (case at line %d)\n", line);
}
#define REFUSED(len, limit, want) expect_refused((len), (limit), (want), __LINE__)

int main(int argc, char **argv)
{
    (void)argc;
    struct elf_image img;
    const char *why = 0;
    size_t n = make_elf(1);
    if (CHECK_EQ_U64(elf_check(file, n, LIMIT, &img, &why), 0)) {
        CHECK_EQ_U64(img.entry, 0x100020);
        CHECK_EQ_U64(img.count, 1);
        CHECK_EQ_U64(img.load[0].paddr, 0x100000);
        CHECK_EQ_U64(img.load[0].memsz, 0x1b6024);
    }
    REFUSED(63, LIMIT, "shorter");
    file[1] = 'X';
    REFUSED(n, LIMIT, "not an ELF file");
    n = make_elf(1);
    file[EI_CLASS] = 1;
    REFUSED(n, LIMIT, "ELF-64");
    n = make_elf(1);
    ehdr()->e_machine = 3;
    REFUSED(n, LIMIT, "x86-64 executable");
    n = make_elf(1);
    ehdr()->e_type = 3;                 /* ET_DYN */
    REFUSED(n, LIMIT, "x86-64 executable");
    n = make_elf(1);
    ehdr()->e_phoff = sizeof file - 8;
    REFUSED(n, LIMIT, "program header");
    n = make_elf(1);
    ehdr()->e_phoff = ~0ull - 8;        /* offset + size overflows */
    REFUSED(n, LIMIT, "program header");
    n = make_elf(1);
    ehdr()->e_phnum = 0;
    REFUSED(n, LIMIT, "program header");
    n = make_elf(1);
    phdr(0)->p_offset = sizeof file - 100;
    REFUSED(n, LIMIT, "outside the file");
    n = make_elf(1);
    phdr(0)->p_offset = ~0ull - 10;
    REFUSED(n, LIMIT, "outside the file");
    n = make_elf(1);
    phdr(0)->p_filesz = phdr(0)->p_memsz + 1;
    REFUSED(n, LIMIT, "outside the file");
    n = make_elf(1);
    REFUSED(n, 0x200000, "does not fit");          /* 2 MiB of memory: too small */
    phdr(0)->p_paddr = ~0ull - 0x1000;             /* paddr + memsz overflows */
    REFUSED(n, LIMIT, "does not fit");
    n = make_elf(2);
    phdr(1)->p_paddr = 0x180000;
    REFUSED(n, LIMIT, "overlap");
    n = make_elf(1);
    phdr(0)->p_type = 4;                            /* PT_NOTE only */
    REFUSED(n, LIMIT, "no loadable segment");
    n = make_elf(1);
    ehdr()->e_entry = 0x50;
    REFUSED(n, LIMIT, "entry point");
    n = make_elf(9);
    REFUSED(n, 1ull << 40, "more than 8");
    n = make_elf(2);
    CHECK_EQ_U64(elf_check(file, n, LIMIT, &img, &why), 0);
    CHECK_EQ_U64(img.count, 2);
    return unit_finish(argv[0]);
}
