/* Shared header (VMX root, host unit tests): EPT paging-structure entry
 * format, SDM 3C 28.2.2, tables 28-1..28-6, and the EPTP (24.6.11). */
#ifndef ARCH_EPT_H
#define ARCH_EPT_H

#define EPT_READ              (1ull << 0)
#define EPT_WRITE             (1ull << 1)
#define EPT_EXECUTE           (1ull << 2)
#define EPT_RWX               (EPT_READ | EPT_WRITE | EPT_EXECUTE)
#define EPT_MEMTYPE_SHIFT     3                 /* leaf entries, bits 5:3 */
#define EPT_MEMTYPE_MASK      (7ull << 3)
#define EPT_IGNORE_PAT        (1ull << 6)
#define EPT_LARGE_PAGE        (1ull << 7)       /* PDPTE (1 GiB) / PDE (2 MiB) */
#define EPT_ADDR_MASK         0x000FFFFFFFFFF000ull

#define EPTP_MEMTYPE_WB       6ull
#define EPTP_WALK_LENGTH_4    (3ull << 3)       /* page-walk length minus one */

/* x86-64 4-level paging entries (SDM 3A 4.5), used for onestone's host
 * page tables. */
#define PTE_PRESENT           (1ull << 0)
#define PTE_WRITABLE          (1ull << 1)
#define PTE_LARGE_PAGE        (1ull << 7)
#define PTE_ADDR_MASK         0x000FFFFFFFFFF000ull

#endif
