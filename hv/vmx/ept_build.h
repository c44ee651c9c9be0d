/* Shared (VMX root setup, host unit tests): builds identity mappings over
 * [0, top) minus a list of holes, page sizes chosen by alignment and MTRR
 * uniformity. Used for the primary partition's EPT and onestone's host
 * page tables. */
#ifndef HV_EPT_BUILD_H
#define HV_EPT_BUILD_H

#include "hv/core/memrange.h"
#include "hv/x86/mtrr.h"
#include "hv/core/pgtable.h"

/* EPT: each page RWX with the MTRR memory type of its block. */
int ept_build_identity(struct pgtable *pt, const struct memrange_list *holes,
                       uint64_t top, const struct mtrr_state *mtrr);

/* Maps one naturally aligned block around gpa (largest uniform page that
 * does not touch a hole) for lazily mapped addresses above `top`. */
int ept_map_identity_block(struct pgtable *pt, const struct memrange_list *holes,
                           uint64_t gpa, const struct mtrr_state *mtrr);

/* Host paging: everything writable; types come from MTRRs + PAT 0 (WB). */
int host_build_identity(struct pgtable *pt, uint64_t top);

#endif
