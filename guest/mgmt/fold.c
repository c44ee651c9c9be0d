/* Runs in the management partition and on the host (tests, bench): replica
 * exchange Monte Carlo with pull moves for the 3D HP lattice model (see
 * fold.h). Pure integer code on one struct: no allocation, no libm, no
 * mutable globals, no output. */
#include "guest/mgmt/fold.h"

#include <string.h>

_Static_assert((FOLD_MAX_LEN & (FOLD_MAX_LEN - 1)) == 0, "residue indices are masked");
_Static_assert(FOLD_MAX_LEN <= 128, "bytes wrap mod 256: a chain must span < 128 steps");
_Static_assert(FOLD_HASH_SLOTS == 256, "hslot() yields 8 bits");
_Static_assert(FOLD_HASH_SLOTS >= 2 * FOLD_MAX_LEN, "hash load stays <= 1/2");
_Static_assert((FOLD_REPLICAS & (FOLD_REPLICAS - 1)) == 0, "temperature indices are masked");
_Static_assert(sizeof(struct fold_params) == FOLD_SEQ_SIZE + 16, "no padding in fold_params");
_Static_assert(sizeof(struct fold_replica) ==
               4 * FOLD_MAX_LEN + 4 * FOLD_HASH_SLOTS + 16, "no padding in fold_replica");
_Static_assert(offsetof(struct fold_state, rep) ==
               offsetof(struct fold_state, swap) + sizeof(((struct fold_state *)0)->swap),
               "no padding before the replicas");
_Static_assert(sizeof(struct fold_state) ==
               offsetof(struct fold_state, rep) + FOLD_REPLICAS * sizeof(struct fold_replica),
               "no padding at the end of fold_state");
_Static_assert(offsetof(struct fold_state, checksum) == 8 && sizeof(struct fold_state) % 8 == 0,
               "the checksum covers whole words after itself");

/* The temperature ladder, kT in thousandths of the contact energy, coldest
 * first, rising; each in 100..10000 (the integer exp below relies on it).
 * Roughly geometric; tuned on the ten 48-mers (0.16..0.49, 0.12..0.43,
 * 0.23..0.76 and 0.30..0.71 did as well or worse at 10M and 50M moves). */
static const uint32_t fold_temps_milli[FOLD_REPLICAS] = {
    200, 240, 285, 340, 400, 475, 560, 660,
};

#define HEMPTY   0xffffffffu
#define HMASK    (FOLD_HASH_SLOTS - 1)
#define IDXMASK  (FOLD_MAX_LEN - 1)
#define POSMASK  0x00ffffffu

/* ---- error messages without printf ---- */

struct msg {
    char *buf;
    size_t len, pos;
};

static void msg_str(struct msg *m, const char *str)
{
    for (; *str; str++) {
        if (m->pos + 1 < m->len)
            m->buf[m->pos++] = *str;
    }
    if (m->len)
        m->buf[m->pos] = '\0';
}

static void msg_uint(struct msg *m, uint64_t v)
{
    char d[21];
    unsigned k = sizeof d - 1;
    d[k] = '\0';
    do {
        d[--k] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    msg_str(m, d + k);
}

/* 'c', or \xNN when c is not printable ASCII */
static void msg_char(struct msg *m, char c)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char u = (unsigned char)c;
    char q[7];
    if (u >= 0x20 && u < 0x7f) {
        q[0] = '\'', q[1] = c, q[2] = '\'', q[3] = '\0';
    } else {
        q[0] = '\\', q[1] = 'x', q[2] = hex[u >> 4], q[3] = hex[u & 15], q[4] = '\0';
    }
    msg_str(m, q);
}

static struct msg msg_begin(char *err, size_t errlen)
{
    struct msg m = { err, err ? errlen : 0, 0 };
    if (m.len)
        m.buf[0] = '\0';
    return m;
}

/* ---- the random number generator: xoshiro256**, seeded by splitmix64 ---- */

static inline uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(uint64_t *st)
{
    uint64_t r = rotl64(st[1] * 5, 7) * 9;
    uint64_t t = st[1] << 17;
    st[2] ^= st[0];
    st[3] ^= st[1];
    st[1] ^= st[2];
    st[0] ^= st[3];
    st[2] ^= t;
    st[3] = rotl64(st[3], 45);
    return r;
}

/* uniform in [0, n) up to a bias of n / 2^32 */
static inline uint32_t rng_below(uint64_t *st, uint32_t n)
{
    return (uint32_t)(((rng_next(st) >> 32) * n) >> 32);
}

static void rng_seed(uint64_t *st, uint64_t seed)
{
    for (unsigned i = 0; i < 4; i++) {
        uint64_t z = (seed += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        st[i] = z ^ (z >> 31);
    }
}

/* ---- lattice positions: x | y << 8 | z << 16, each byte mod 256 ---- */

/* direction d: 0 R +x, 1 L -x, 2 U +y, 3 D -y, 4 F +z, 5 B -z */
static inline uint32_t step(uint32_t p, unsigned d)
{
    unsigned sh = (d >> 1) * 8;
    uint32_t b = (p >> sh) + ((d & 1) ? 0xffu : 1u);
    return (p & ~(0xffu << sh)) | ((b & 0xffu) << sh);
}

static inline bool adjacent(uint32_t a, uint32_t b)
{
    uint32_t dx = ((b & 0xff) - (a & 0xff) + 1) & 0xff;          /* -1,0,1 -> 0,1,2 */
    uint32_t dy = (((b >> 8) & 0xff) - ((a >> 8) & 0xff) + 1) & 0xff;
    uint32_t dz = (((b >> 16) & 0xff) - ((a >> 16) & 0xff) + 1) & 0xff;
    return dx <= 2 && dy <= 2 && dz <= 2 && (dx != 1) + (dy != 1) + (dz != 1) == 1;
}

/* the direction from a to b, -1 if they are not adjacent */
static int dir_between(uint32_t a, uint32_t b)
{
    for (unsigned d = 0; d < 6; d++) {
        if (step(a, d) == b)
            return (int)d;
    }
    return -1;
}

/* ---- the occupancy hash: linear probing, backward-shift deletion ---- */

static inline uint32_t hslot(uint32_t pos)
{
    return (pos * 0x9e3779b1u) >> 24;
}

/* the residue at pos, -1 if free */
static inline int h_find(const uint32_t *h, uint32_t pos)
{
    uint32_t i = hslot(pos);
    for (unsigned k = 0; k < FOLD_HASH_SLOTS; k++, i = (i + 1) & HMASK) {
        uint32_t e = h[i];
        if (e == HEMPTY)
            return -1;
        if ((e & POSMASK) == pos)
            return (int)((e >> 24) & IDXMASK);
    }
    return -1;
}

static inline void h_insert(uint32_t *h, uint32_t pos, unsigned idx)
{
    uint32_t i = hslot(pos);
    for (unsigned k = 0; k < FOLD_HASH_SLOTS; k++, i = (i + 1) & HMASK) {
        if (h[i] == HEMPTY) {
            h[i] = (uint32_t)idx << 24 | pos;
            return;
        }
    }
}

static inline void h_remove(uint32_t *h, uint32_t pos)
{
    uint32_t i = hslot(pos);
    unsigned k;
    for (k = 0; k < FOLD_HASH_SLOTS; k++, i = (i + 1) & HMASK) {
        if (h[i] == HEMPTY)
            return;
        if ((h[i] & POSMASK) == pos)
            break;
    }
    if (k == FOLD_HASH_SLOTS)
        return;
    /* close the hole: move back every later entry of the run that may live
     * at i (its home slot is not cyclically in (i, j]) */
    uint32_t j = i;
    for (k = 0; k < FOLD_HASH_SLOTS; k++) {
        j = (j + 1) & HMASK;
        uint32_t e = h[j];
        if (e == HEMPTY)
            break;
        uint32_t home = hslot(e & POSMASK);
        if (((j - home) & HMASK) >= ((j - i) & HMASK)) {
            h[i] = e;
            i = j;
        }
    }
    h[i] = HEMPTY;
}

/* ---- integer Metropolis tables ---- */

/* 2^32 * e^(-1000 / t_milli), t_milli in 100..10000: Taylor series of
 * e^x in 32.32 fixed point (x <= 10 keeps every term below 2^47). */
static uint32_t exp_neg_inv(uint32_t t_milli)
{
    uint64_t term = 1ull << 32, sum = term;
    for (uint64_t k = 1; k < 100 && term; k++) {
        term = term * 1000 / ((uint64_t)t_milli * k);
        sum += term;
    }
    return (uint32_t)(UINT64_MAX / sum);
}

static void make_tables(uint32_t accept[FOLD_REPLICAS][FOLD_DE_MAX + 1],
                        uint32_t swap[FOLD_REPLICAS - 1][FOLD_SWAP_DE_MAX + 1])
{
    uint32_t base[FOLD_REPLICAS];
    for (unsigned t = 0; t < FOLD_REPLICAS; t++) {
        uint64_t p = 1ull << 32;
        base[t] = exp_neg_inv(fold_temps_milli[t]);
        accept[t][0] = UINT32_MAX;
        for (unsigned d = 1; d <= FOLD_DE_MAX; d++) {
            p = (p * base[t]) >> 32;
            accept[t][d] = (uint32_t)p;
        }
    }
    /* e^-(1/T_t - 1/T_t+1) = base[t] / base[t+1] < 1 (the ladder rises) */
    for (unsigned t = 0; t + 1 < FOLD_REPLICAS; t++) {
        uint64_t q = ((uint64_t)base[t] << 32) / base[t + 1];
        uint64_t p = 1ull << 32;
        if (q > UINT32_MAX)
            q = UINT32_MAX;
        swap[t][0] = UINT32_MAX;
        for (unsigned d = 1; d <= FOLD_SWAP_DE_MAX; d++) {
            p = (p * q) >> 32;
            swap[t][d] = (uint32_t)p;
        }
    }
}

/* ---- energies ---- */

/* Contacts of the H residues in [lo, hi]: 2 per contact with a residue
 * outside the range, 1 per contact inside it (so inside pairs count 2 in
 * all). Needs a consistent hash. */
static int range_score(const struct fold_state *s, const struct fold_replica *r,
                       unsigned lo, unsigned hi)
{
    int score = 0;
    for (unsigned j = lo; j <= hi; j++) {
        if (!s->is_h[j & IDXMASK])
            continue;
        uint32_t p = r->pos[j & IDXMASK];
        for (unsigned d = 0; d < 6; d++) {
            int k = h_find(r->hash, step(p, d));
            if (k < 0 || !s->is_h[k] || k + 1 == (int)j || k == (int)j + 1)
                continue;
            score += ((unsigned)k >= lo && (unsigned)k <= hi) ? 1 : 2;
        }
    }
    return score;
}

/* Pairwise energy of n positions (no hash): for validation. */
static int chain_energy(const uint8_t *is_h, const uint32_t *pos, unsigned n)
{
    int e = 0;
    for (unsigned i = 0; i < n; i++) {
        if (!is_h[i])
            continue;
        for (unsigned j = i + 2; j < n; j++) {
            if (is_h[j] && adjacent(pos[i], pos[j]))
                e--;
        }
    }
    return e;
}

/* ---- moves ---- */

/* One attempted move on replica r at move number `now`. A residue i is
 * chosen uniformly. An end residue makes an end move (to a free neighbour
 * of its chain neighbour) or an end pull (to a free position two steps
 * away, its neighbour to the free position between, the rest of the chain
 * following until it is connected again). An inner residue makes a pull
 * move towards one side (Lesh et al.): it goes to a free L adjacent to its
 * chain neighbour on the other side and diagonal to itself; if the corner C
 * of that square is its neighbour already it is a corner flip, otherwise
 * the neighbour goes to the free C and the chain follows two positions at a
 * time until it is connected again. The moved residues form one range
 * [lo, hi]; the move is applied, scored, and undone if the Metropolis test
 * at the replica's temperature rejects it. */
static void attempt(struct fold_state *s, struct fold_replica *r, uint64_t *rng, uint64_t now)
{
    const int n = (int)s->n;
    uint32_t *P = r->pos;
    uint32_t newp[FOLD_MAX_LEN];
    int i = (int)rng_below(rng, (uint32_t)n);
    uint64_t x = rng_next(rng);
    int lo, hi;

    if (i == 0 || i == n - 1) {
        int f = i == 0 ? 1 : -1;            /* towards the rest of the chain */
        if (x & 1) {
            uint32_t q = step(P[i + f], (unsigned)((x >> 8) % 6));
            if (h_find(r->hash, q) >= 0)
                return;
            newp[i] = q;
            lo = hi = i;
        } else {
            uint32_t c = step(P[i], (unsigned)((x >> 8) % 6));
            if (h_find(r->hash, c) >= 0)
                return;
            uint32_t l = step(c, (unsigned)((x >> 16) % 6));
            if (l == P[i] || h_find(r->hash, l) >= 0)
                return;
            newp[i] = l;
            newp[i + f] = c;
            int j = i + 2 * f;
            while (j >= 0 && j < n && !adjacent(P[j], newp[j - f])) {
                newp[j] = P[j - 2 * f];
                j += f;
            }
            j -= f;                         /* the last residue moved */
            lo = f > 0 ? i : j;
            hi = f > 0 ? j : i;
        }
    } else {
        int sd = (x & 1) ? 1 : -1;          /* the anchor is i + sd */
        uint32_t xi = P[i], xa = P[i + sd];
        uint32_t diff = xi ^ xa;
        unsigned axis = (diff & 0xff) ? 0 : (diff & 0xff00) ? 1 : 2;
        unsigned k = (unsigned)(x >> 8) & 3;
        unsigned d = ((axis + 1 + (k >> 1)) % 3) * 2 + (k & 1);
        uint32_t l = step(xa, d), c = step(xi, d);
        if (h_find(r->hash, l) >= 0)
            return;
        newp[i] = l;
        if (c == P[i - sd]) {
            lo = hi = i;                    /* corner flip */
        } else {
            if (h_find(r->hash, c) >= 0)
                return;
            newp[i - sd] = c;
            int j = i - 2 * sd;
            while (j >= 0 && j < n && !adjacent(P[j], newp[j + sd])) {
                newp[j] = P[j + 2 * sd];
                j -= sd;
            }
            j += sd;                        /* the last residue moved */
            lo = sd > 0 ? j : i;
            hi = sd > 0 ? i : j;
        }
    }

    uint32_t oldp[FOLD_MAX_LEN];
    int before = range_score(s, r, (unsigned)lo, (unsigned)hi);
    for (int j = lo; j <= hi; j++) {
        oldp[j] = P[j];
        h_remove(r->hash, P[j]);
    }
    for (int j = lo; j <= hi; j++) {
        P[j] = newp[j];
        h_insert(r->hash, P[j], (unsigned)j);
    }
    int after = range_score(s, r, (unsigned)lo, (unsigned)hi);
    int de = (before - after) / 2;          /* energy change */

    bool ok = de <= 0;
    if (!ok && de <= (int)FOLD_DE_MAX)
        ok = (uint32_t)(rng_next(rng) >> 32) < s->accept[r->temp & (FOLD_REPLICAS - 1)][de];
    if (!ok) {
        for (int j = lo; j <= hi; j++)
            h_remove(r->hash, P[j]);
        for (int j = lo; j <= hi; j++) {
            P[j] = oldp[j];
            h_insert(r->hash, P[j], (unsigned)j);
        }
        return;
    }
    r->energy += de;
    r->accepted++;
    if (r->energy < s->best_energy) {
        s->best_energy = r->energy;
        s->best_at = now + 1;
        memcpy(s->best_pos, P, sizeof s->best_pos);
    }
}

/* Exchange attempts between temperatures t and t + 1 for every t of the
 * given parity (alternating pairs, as in Thachuk et al.). */
static void exchange(struct fold_state *s, unsigned parity, uint64_t *rng)
{
    for (unsigned t = parity; t + 1 < FOLD_REPLICAS; t += 2) {
        unsigned a = s->order[t] & (FOLD_REPLICAS - 1);
        unsigned b = s->order[t + 1] & (FOLD_REPLICAS - 1);
        int64_t gap = (int64_t)s->rep[b].energy - s->rep[a].energy;
        bool ok = gap <= 0;
        if (!ok && gap <= (int64_t)FOLD_SWAP_DE_MAX)
            ok = (uint32_t)(rng_next(rng) >> 32) < s->swap[t][gap];
        s->swaps_tried++;
        if (ok) {
            s->order[t] = b;
            s->order[t + 1] = a;
            s->rep[a].temp = t + 1;
            s->rep[b].temp = t;
            s->swaps_accepted++;
        }
    }
}

/* ---- the API ---- */

/* h -> mix(h ^ w) is a bijection of h for each w, so a change in a single
 * word always changes the lane it goes through, and the final fold of the
 * lanes is a bijection of each lane. Four lanes: independent multiplies. */
static inline uint64_t sum_mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 32);
}

uint64_t fold_state_checksum(const struct fold_state *s)
{
    const unsigned char *p = (const unsigned char *)s;
    uint64_t a = 0x6a09e667f3bcc909ull, b = 0xbb67ae8584caa73bull;
    uint64_t c = 0x3c6ef372fe94f82bull, d = 0xa54ff53a5f1d36f1ull;
    size_t i = offsetof(struct fold_state, checksum) + 8;
    uint64_t w[4];
    for (; i + 32 <= sizeof *s; i += 32) {
        memcpy(w, p + i, 32);
        a = sum_mix(a, w[0]);
        b = sum_mix(b, w[1]);
        c = sum_mix(c, w[2]);
        d = sum_mix(d, w[3]);
    }
    for (; i < sizeof *s; i += 8) {
        memcpy(w, p + i, 8);
        a = sum_mix(a, w[0]);
    }
    return sum_mix(sum_mix(sum_mix(sum_mix(sizeof *s, a), b), c), d);
}

/* Length and validity of an H/P sequence of at most `size` bytes; writes
 * the message for the first problem. */
static int check_seq(const char *seq, size_t size, unsigned *len, struct msg *m)
{
    size_t n = 0;
    if (!seq) {
        msg_str(m, "no sequence");
        return -1;
    }
    while (n < size && seq[n])
        n++;
    if (n == size || n > FOLD_MAX_LEN) {
        msg_str(m, "sequence longer than ");
        msg_uint(m, FOLD_MAX_LEN);
        msg_str(m, " residues");
        return -1;
    }
    if (n < FOLD_MIN_LEN) {
        msg_str(m, "sequence has ");
        msg_uint(m, n);
        msg_str(m, n == 1 ? " residue" : " residues");
        msg_str(m, ", need at least ");
        msg_uint(m, FOLD_MIN_LEN);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char c = seq[i];
        if (c != 'H' && c != 'P' && c != 'h' && c != 'p') {
            msg_str(m, "residue ");
            msg_uint(m, i + 1);
            msg_str(m, " is ");
            msg_char(m, c);
            msg_str(m, ": a sequence is made of H and P");
            return -1;
        }
    }
    *len = (unsigned)n;
    return 0;
}

int fold_init(struct fold_state *s, const struct fold_params *p, char *err, size_t errlen)
{
    struct msg m = msg_begin(err, errlen);
    unsigned n;
    if (!s || !p) {
        msg_str(&m, "no state or no parameters");
        return -1;
    }
    if (check_seq(p->seq, sizeof p->seq, &n, &m) != 0)
        return -1;
    if (p->total_moves < 1) {
        msg_str(&m, "total_moves is 0, need at least 1");
        return -1;
    }
    if (p->total_moves > FOLD_MAX_MOVES) {
        msg_str(&m, "total_moves ");
        msg_uint(&m, p->total_moves);
        msg_str(&m, " is above the limit of ");
        msg_uint(&m, FOLD_MAX_MOVES);
        return -1;
    }

    memset(s, 0, sizeof *s);
    s->magic = FOLD_STATE_MAGIC;
    s->version = FOLD_STATE_VERSION;
    s->n = n;
    for (unsigned i = 0; i < n; i++) {
        char c = p->seq[i] == 'h' ? 'H' : p->seq[i] == 'p' ? 'P' : p->seq[i];
        s->params.seq[i] = c;
        s->is_h[i] = c == 'H';
    }
    s->params.seed = p->seed;
    s->params.total_moves = p->total_moves;
    rng_seed(s->rng, p->seed);
    memcpy(s->temp_milli, fold_temps_milli, sizeof s->temp_milli);
    make_tables(s->accept, s->swap);

    /* every replica starts as a straight line along x */
    for (unsigned r = 0; r < FOLD_REPLICAS; r++) {
        struct fold_replica *rp = &s->rep[r];
        memset(rp->hash, 0xff, sizeof rp->hash);
        for (unsigned i = 0; i < n; i++) {
            rp->pos[i] = i;
            h_insert(rp->hash, i, i);
        }
        rp->temp = r;
        s->order[r] = r;
    }
    for (unsigned i = 0; i < n; i++)
        s->best_pos[i] = i;
    s->checksum = fold_state_checksum(s);
    return 0;
}

uint64_t fold_run(struct fold_state *s, uint64_t max_moves)
{
    if (!s || s->magic != FOLD_STATE_MAGIC || s->version != FOLD_STATE_VERSION ||
        s->n < FOLD_MIN_LEN || s->n > FOLD_MAX_LEN || s->checksum != fold_state_checksum(s) ||
        s->moves_done >= s->params.total_moves)
        return 0;
    uint64_t want = s->params.total_moves - s->moves_done;
    if (want > max_moves)
        want = max_moves;
    uint64_t rng[4];
    memcpy(rng, s->rng, sizeof rng);
    for (uint64_t done = 0; done < want;) {
        uint64_t now = s->moves_done;
        struct fold_replica *r = &s->rep[(now / FOLD_BLOCK) % FOLD_REPLICAS];
        uint64_t chunk = FOLD_BLOCK - now % FOLD_BLOCK;
        if (chunk > want - done)
            chunk = want - done;
        for (uint64_t k = 0; k < chunk; k++)
            attempt(s, r, rng, now + k);
        s->moves_done = now + chunk;
        done += chunk;
        uint64_t round = (uint64_t)FOLD_BLOCK * FOLD_REPLICAS;
        if (s->moves_done % round == 0)
            exchange(s, (unsigned)(s->moves_done / round) & 1, rng);
    }
    memcpy(s->rng, rng, sizeof rng);
    s->checksum = fold_state_checksum(s);
    return want;
}

bool fold_finished(const struct fold_state *s)
{
    return s->moves_done >= s->params.total_moves;
}

int fold_best_energy(const struct fold_state *s)
{
    return s->best_energy;
}

size_t fold_best_dirs(const struct fold_state *s, char *out, size_t outlen)
{
    static const char letters[] = "RLUDFB";
    unsigned n = s->n;
    if (n > FOLD_MAX_LEN || n < 1 || outlen < n) {
        if (outlen)
            out[0] = '\0';
        return 0;
    }
    for (unsigned i = 0; i + 1 < n; i++) {
        int d = dir_between(s->best_pos[i], s->best_pos[i + 1]);
        out[i] = d < 0 ? '?' : letters[d];
    }
    out[n - 1] = '\0';
    return n - 1;
}

/* Chain connected, positions distinct (pairwise), energy as given. */
static bool chain_ok(const struct fold_state *s, const uint32_t *pos, int energy)
{
    for (unsigned i = 0; i < s->n; i++) {
        if (pos[i] & ~POSMASK)
            return false;
        if (i + 1 < s->n && !adjacent(pos[i], pos[i + 1]))
            return false;
        for (unsigned j = i + 2; j < s->n; j += 2) {   /* odd distances never meet */
            if (pos[i] == pos[j])
                return false;
        }
    }
    return chain_energy(s->is_h, pos, s->n) == energy;
}

bool fold_state_valid(const struct fold_state *s)
{
    if (!s || s->magic != FOLD_STATE_MAGIC || s->version != FOLD_STATE_VERSION ||
        s->checksum != fold_state_checksum(s) || s->reserved != 0)
        return false;
    unsigned n = s->n;
    if (n < FOLD_MIN_LEN || n > FOLD_MAX_LEN)
        return false;
    for (unsigned i = 0; i < sizeof s->params.seq; i++) {
        char c = s->params.seq[i];
        if (i < n ? (c != 'H' && c != 'P') || s->is_h[i] != (c == 'H') : c != '\0')
            return false;
        if (i >= n && i < FOLD_MAX_LEN && (s->is_h[i] || s->best_pos[i]))
            return false;
    }
    if (s->params.total_moves < 1 || s->params.total_moves > FOLD_MAX_MOVES ||
        s->moves_done > s->params.total_moves || s->best_at > s->moves_done ||
        s->swaps_accepted > s->swaps_tried)
        return false;
    if (!(s->rng[0] | s->rng[1] | s->rng[2] | s->rng[3]))
        return false;
    if (memcmp(s->temp_milli, fold_temps_milli, sizeof s->temp_milli) != 0)
        return false;
    uint32_t accept[FOLD_REPLICAS][FOLD_DE_MAX + 1];
    uint32_t swap[FOLD_REPLICAS - 1][FOLD_SWAP_DE_MAX + 1];
    make_tables(accept, swap);
    if (memcmp(accept, s->accept, sizeof accept) != 0 || memcmp(swap, s->swap, sizeof swap) != 0)
        return false;

    unsigned seen = 0;
    for (unsigned t = 0; t < FOLD_REPLICAS; t++) {
        uint32_t r = s->order[t];
        if (r >= FOLD_REPLICAS || (seen & 1u << r) || s->rep[r].temp != t)
            return false;
        seen |= 1u << r;
    }
    for (unsigned r = 0; r < FOLD_REPLICAS; r++) {
        const struct fold_replica *rp = &s->rep[r];
        if (rp->energy > 0 || rp->energy < s->best_energy || !chain_ok(s, rp->pos, rp->energy))
            return false;
        for (unsigned i = n; i < FOLD_MAX_LEN; i++) {
            if (rp->pos[i])
                return false;
        }
        /* the hash holds exactly the n residues, each reachable from its
         * home slot (lookups find them) */
        unsigned used = 0;
        for (unsigned k = 0; k < FOLD_HASH_SLOTS; k++) {
            uint32_t e = rp->hash[k];
            if (e == HEMPTY)
                continue;
            used++;
            if ((e >> 24) >= n || rp->pos[e >> 24] != (e & POSMASK))
                return false;
        }
        if (used != n)
            return false;
        for (unsigned i = 0; i < n; i++) {
            if (h_find(rp->hash, rp->pos[i]) != (int)i)
                return false;
        }
    }
    return s->best_energy <= 0 && chain_ok(s, s->best_pos, s->best_energy);
}

/* ---- the independent validator ---- */

int fold_check(const char *seq, const char *dirs, int *energy, char *err, size_t errlen)
{
    struct msg m = msg_begin(err, errlen);
    unsigned n;
    int x[FOLD_MAX_LEN], y[FOLD_MAX_LEN], z[FOLD_MAX_LEN];

    if (check_seq(seq, FOLD_MAX_LEN + 1, &n, &m) != 0)
        return -1;
    if (!dirs) {
        msg_str(&m, "no directions");
        return -1;
    }
    size_t len = 0;
    while (len < n && dirs[len])
        len++;
    if (len != n - 1 || dirs[len] != '\0') {
        msg_str(&m, "directions: need ");
        msg_uint(&m, n - 1);
        msg_str(&m, " letters for ");
        msg_uint(&m, n);
        msg_str(&m, " residues, got ");
        if (len == n)
            msg_str(&m, "more");
        else
            msg_uint(&m, len);
        return -1;
    }
    x[0] = y[0] = z[0] = 0;
    for (unsigned i = 0; i + 1 < n; i++) {
        int dx = 0, dy = 0, dz = 0;
        switch (dirs[i]) {
        case 'R': dx = 1; break;
        case 'L': dx = -1; break;
        case 'U': dy = 1; break;
        case 'D': dy = -1; break;
        case 'F': dz = 1; break;
        case 'B': dz = -1; break;
        default:
            msg_str(&m, "direction ");
            msg_uint(&m, i + 1);
            msg_str(&m, " is ");
            msg_char(&m, dirs[i]);
            msg_str(&m, ": directions are R L U D F B");
            return -1;
        }
        x[i + 1] = x[i] + dx;
        y[i + 1] = y[i] + dy;
        z[i + 1] = z[i] + dz;
    }
    int e = 0;
    for (unsigned i = 0; i < n; i++) {
        for (unsigned j = i + 1; j < n; j++) {
            int dist = (x[i] > x[j] ? x[i] - x[j] : x[j] - x[i]) +
                       (y[i] > y[j] ? y[i] - y[j] : y[j] - y[i]) +
                       (z[i] > z[j] ? z[i] - z[j] : z[j] - z[i]);
            if (dist == 0) {
                msg_str(&m, "not self-avoiding: residues ");
                msg_uint(&m, i + 1);
                msg_str(&m, " and ");
                msg_uint(&m, j + 1);
                msg_str(&m, " are on the same site");
                return -1;
            }
            bool hi = seq[i] == 'H' || seq[i] == 'h', hj = seq[j] == 'H' || seq[j] == 'h';
            if (dist == 1 && j > i + 1 && hi && hj)
                e--;
        }
    }
    if (energy)
        *energy = e;
    return 0;
}

/* ---- benchmark sequences ----
 * yue1..yue10: the ten 48-mers of Yue, Fiebig, Thomas, Chan, Shakhnovich
 * and Dill, "A test of lattice protein folding algorithms", PNAS 92:325
 * (1995) (the "Harvard" instances), with their published minimum
 * energies. The sequences and energies agree in three independent
 * public copies (CRO, Rust MCTS and MATLAB HP-folding projects on GitHub;
 * one of them also lists a conformation of the published energy for each,
 * which the unit test replays through fold_check).
 * um20..um64: the 3D benchmark set used by Unger and Moult and later by
 * Thachuk et al. 2007 (their 3D S1-1..S1-8) with the best energies known;
 * conformations of those energies are replayed in the unit test as well. */
const struct fold_bench fold_bench_seqs[] = {
    { "yue1",  "HPHHPPHHHHPHHHPPHHPPHPHHHPHPHHPPHHPPPHPPPPPPPPHH", -32 },
    { "yue2",  "HHHHPHHPHHHHHPPHPPHHPPHPPPPPPHPPHPPPHPPHHPPHHHPH", -34 },
    { "yue3",  "PHPHHPHHHHHHPPHPHPPHPHHPHPHPPPHPPHHPPHHPPHPHPPHP", -34 },
    { "yue4",  "PHPHHPPHPHHHPPHHPHHPPPHHHHHPPHPHHPHPHPPPPHPPHPHP", -33 },
    { "yue5",  "PPHPPPHPHHHHPPHHHHPHHPHHHPPHPHPHPPHPPPPPPHHPHHPH", -32 },
    { "yue6",  "HHHPPPHHPHPHHPHHPHHPHPPPPPPPHPHPPHPPPHPPHHHHHHPH", -32 },
    { "yue7",  "PHPPPPHPHHHPHPHHHHPHHPHHPPPHPHPPPHHHPPHHPPHHPPPH", -32 },
    { "yue8",  "PHHPHHHPHHHHPPHHHPPPPPPHPHHPPHHPHPPPHHPHPHPHHPPP", -31 },
    { "yue9",  "PHPHPPPPHPHPHPPHPHHHHHHPPHHHPHPPHPHHPPHPHHHPPPPH", -34 },
    { "yue10", "PHHPPPPPPHHPPPHHHPHPPHPHHPPHPPHPPHHPPHHHHHHHPPHH", -33 },
    { "um20",  "HPHPPHHPHPPHPHHPPHPH", -11 },
    { "um24",  "HHPPHPPHPPHPPHPPHPPHPPHH", -13 },
    { "um25",  "PPHPPHHPPPPHHPPPPHHPPPPHH", -9 },
    { "um36",  "PPPHHPPHHPPPPPHHHHHHHPPHHPPPPHHPPHPP", -18 },
    { "um48",  "PPHPPHHPPHHPPPPPHHHHHHHHHHPPPPPPHHPPHHPPHPPHHHHH", -31 },
    { "um50",  "HHPHPHPHPHHHHPHPPPHPPPHPPPPHPPPHPPPHPHHHHPHPHPHPHH", -34 },
    { "um60",  "PPHHHPHHHHHHHHPPPHHHHHHHHHHPHPPPHHHHHHHHHHHHPPPPHHHHHHPHHPHP", -55 },
    { "um64",  "HHHHHHHHHHHHPHPHPPHHPPHHPPHPPHHPPHHPPHPPHHPPHHPPHPHPHHHHHHHHHHHH", -59 },
};
const size_t fold_bench_count = sizeof fold_bench_seqs / sizeof fold_bench_seqs[0];

const struct fold_bench *fold_bench_find(const char *name)
{
    for (size_t i = 0; i < fold_bench_count; i++) {
        if (strcmp(fold_bench_seqs[i].name, name) == 0)
            return &fold_bench_seqs[i];
    }
    return NULL;
}
