/* Runs in the management partition and on the host (tests, bench): Monte
 * Carlo folding of an HP protein sequence on the 3D cubic lattice, the
 * partition's compute workload.
 *
 * Model: a sequence of H (hydrophobic) and P (polar) residues is placed on
 * a self-avoiding walk of the cubic lattice; the energy is -1 for every pair
 * of H residues that are lattice neighbours but not chain neighbours. The
 * folder minimises it with replica exchange Monte Carlo (Thachuk, Shmygelska
 * and Hoos, BMC Bioinformatics 8:342, 2007) over the pull-move neighbourhood
 * (Lesh, Mitzenmacher and Whitesides, RECOMB 2003) plus end moves.
 *
 * The whole run is one fixed-size plain struct (struct fold_state): no
 * pointers, no allocation, no hidden padding, no globals. Between any two
 * calls it may be copied byte for byte (memcpy, or hex to a server) and
 * continued from the copy: the continuation gives exactly the result of an
 * uninterrupted run, on every platform, because every decision is integer
 * arithmetic on the state (the Metropolis thresholds are integer tables
 * computed at init with integer arithmetic; no libm, no floating point).
 *
 * A "move" is one attempted Monte Carlo move on one replica (accepted or
 * not, possible or not). Replicas take turns in blocks of FOLD_BLOCK moves;
 * after every FOLD_REPLICAS * FOLD_BLOCK moves neighbouring temperatures
 * try to exchange their conformations. All of it is a function of the
 * moves done so far, so fold_run(s, a) then fold_run(s, b) is the same as
 * fold_run(s, a + b).
 *
 * Lattice coordinates are bytes that wrap modulo 256: a chain of at most
 * 128 residues spans at most 127 steps per axis, so wrapped positions are
 * distinct and adjacent exactly when the real ones are, and the chain may
 * drift forever without overflow or recentring.
 */
#ifndef GUEST_MGMT_FOLD_H
#define GUEST_MGMT_FOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FOLD_MAX_LEN       128u     /* residues; a power of two (index masks) */
#define FOLD_MIN_LEN       2u
#define FOLD_SEQ_SIZE      (FOLD_MAX_LEN + 8u)  /* NUL-terminated, 8-aligned */
#define FOLD_REPLICAS      8u       /* temperatures of the replica exchange */
#define FOLD_BLOCK         256u     /* moves a replica does before the next one's turn */
#define FOLD_HASH_SLOTS    256u     /* occupancy hash per replica (load <= 1/2) */
#define FOLD_DE_MAX        63u      /* Metropolis table: energy rises 1..63 */
#define FOLD_SWAP_DE_MAX   127u     /* exchange table: energy gaps 1..127 */
#define FOLD_MAX_MOVES     1000000000000ull   /* 10^12: days of CPU time */

#define FOLD_STATE_MAGIC   0x646c6f4674736e4full  /* "OnstFold" */
#define FOLD_STATE_VERSION 2u      /* 2: ladder 0.20..0.66, 4-lane checksum */

/* What to fold. seq: 'H'/'P' (lowercase 'h'/'p' accepted and stored as
 * uppercase), FOLD_MIN_LEN..FOLD_MAX_LEN residues, NUL-terminated within
 * the array. seed: any value (0 too). total_moves: 1..FOLD_MAX_MOVES. */
struct fold_params {
    char seq[FOLD_SEQ_SIZE];
    uint64_t seed;
    uint64_t total_moves;
};

/* One conformation at one temperature. pos[i] = x | y << 8 | z << 16 (bytes
 * wrap mod 256); hash: open addressing with linear probing, entry =
 * residue << 24 | pos, 0xffffffff empty. */
struct fold_replica {
    uint32_t pos[FOLD_MAX_LEN];
    uint32_t hash[FOLD_HASH_SLOTS];
    int32_t energy;
    uint32_t temp;                  /* index into the temperature ladder */
    uint64_t accepted;              /* accepted moves (statistics) */
};

struct fold_state {
    uint64_t magic;                 /* FOLD_STATE_MAGIC */
    uint64_t checksum;              /* fold_state_checksum() of the rest */
    uint32_t version;               /* FOLD_STATE_VERSION */
    uint32_t n;                     /* residues, strlen(params.seq) */
    struct fold_params params;
    uint64_t rng[4];                /* xoshiro256** */
    uint64_t moves_done;
    uint64_t swaps_tried;
    uint64_t swaps_accepted;
    uint64_t best_at;               /* moves_done when best_energy was reached */
    int32_t best_energy;
    uint32_t reserved;              /* zero */
    uint32_t best_pos[FOLD_MAX_LEN];
    uint8_t is_h[FOLD_MAX_LEN];     /* 1 for H, from params.seq */
    uint32_t temp_milli[FOLD_REPLICAS];                 /* kT * 1000 */
    uint32_t order[FOLD_REPLICAS];  /* replica at temperature t, coldest first */
    /* acceptance probability * 2^32 of an energy rise of d at temperature t */
    uint32_t accept[FOLD_REPLICAS][FOLD_DE_MAX + 1];
    /* exchange probability * 2^32 between temperatures t and t+1 when the
     * colder one is lower by d */
    uint32_t swap[FOLD_REPLICAS - 1][FOLD_SWAP_DE_MAX + 1];
    struct fold_replica rep[FOLD_REPLICAS];
};

/* Starts a run: validates p and, if it is fine, fills *s (every byte, so
 * two inits with the same params are identical) and returns 0. Otherwise
 * returns -1 and writes a one-line message naming the problem to err
 * (truncated to errlen, always NUL-terminated when errlen > 0). */
int fold_init(struct fold_state *s, const struct fold_params *p, char *err, size_t errlen);

/* Advances by up to max_moves moves, stopping at params.total_moves; returns
 * the number done. Cheap to call with small slices. Returns 0 without
 * touching the state when its checksum does not match (a corrupted copy).
 * The state is consistent (checksum updated) when it returns. */
uint64_t fold_run(struct fold_state *s, uint64_t max_moves);

bool fold_finished(const struct fold_state *s);
/* Lowest energy seen so far (<= 0). */
int fold_best_energy(const struct fold_state *s);

/* The best conformation as absolute steps, n - 1 letters of "RLUDFB"
 * (R=+x L=-x U=+y D=-y F=+z B=-z), NUL-terminated. Returns the length
 * written without the NUL, or 0 (and "" when outlen > 0) if outlen < n. */
size_t fold_best_dirs(const struct fold_state *s, char *out, size_t outlen);

/* Independent validator (shares no code with the folder): seq as for
 * fold_params, dirs n - 1 letters of "RLUDFB" (uppercase only) forming a
 * self-avoiding walk. Returns 0 and the HP energy in *energy, or -1 and a
 * message in err. */
int fold_check(const char *seq, const char *dirs, int *energy, char *err, size_t errlen);

/* 64-bit checksum of every byte of the state after the checksum field
 * (any single changed 64-bit word changes it). fold_init and fold_run store
 * it in s->checksum. */
uint64_t fold_state_checksum(const struct fold_state *s);

/* Whether *s is a consistent state: magic, version, checksum, and every
 * invariant (sequence, counters, tables, temperature order, each chain a
 * self-avoiding walk matching its hash and energy, the best conformation).
 * Check this before continuing a restored copy. Never reads out of bounds,
 * whatever the bytes. */
bool fold_state_valid(const struct fold_state *s);

/* Standard benchmark sequences with their published (or proven) minimum
 * energies; see fold.c for the sources. */
struct fold_bench {
    const char *name;               /* "yue1".."yue10", ... */
    const char *seq;
    int energy;                     /* published optimum */
};
extern const struct fold_bench fold_bench_seqs[];
extern const size_t fold_bench_count;
/* NULL if there is no sequence of that name. */
const struct fold_bench *fold_bench_find(const char *name);

#endif
