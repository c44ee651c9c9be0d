/* guest/mgmt/fold.c: the management partition's folder. Its results go to
 * a server that trusts them, and its state travels as a checkpoint: a wrong
 * energy, a non-self-avoiding chain, a run that differs after a restore or
 * a corrupted checkpoint that crashes the partition would all be silent
 * failures, so each is checked here against independent code (fold_check,
 * exhaustive enumeration). */
#include <stdlib.h>
#include "guest/mgmt/fold.h"
#include "unit.h"

static struct fold_state sa, sb, sc;

static void params(struct fold_params *p, const char *seq, uint64_t seed, uint64_t total)
{
    memset(p, 0, sizeof *p);
    strncpy(p->seq, seq, sizeof p->seq - 1);
    p->seed = seed;
    p->total_moves = total;
}

static bool start(struct fold_state *s, const char *seq, uint64_t seed, uint64_t total)
{
    struct fold_params p;
    char err[128];
    params(&p, seq, seed, total);
    if (!CHECK(fold_init(s, &p, err, sizeof err) == 0)) {
        printf("  fold_init(%s): %s\n", seq, err);
        return false;
    }
    return true;
}

/* the best conformation passes fold_check with the reported energy */
static void check_best(const struct fold_state *s, int line)
{
    char dirs[FOLD_MAX_LEN + 1], err[128];
    int e = 1;
    bool ok = CHECK_EQ_U64(fold_best_dirs(s, dirs, sizeof dirs), s->n - 1) &&
              CHECK(fold_check(s->params.seq, dirs, &e, err, sizeof err) == 0) &&
              CHECK(e == fold_best_energy(s));
    if (!ok)
        printf("  (line %d: %s, dirs %s, fold_check %d, best %d)\n", line, err, dirs, e,
               fold_best_energy(s));
}

static void check_err(const char *seq, const char *dirs, const char *want)
{
    char err[128] = "unset";
    int e = 42;
    if (!CHECK(fold_check(seq, dirs, &e, err, sizeof err) == -1) || !CHECK_CONTAINS(err, want))
        printf("  (fold_check(%s, %s))\n", seq, dirs);
    CHECK(e == 42);
}

static int energy_of(const char *seq, const char *dirs)
{
    char err[128];
    int e = 1;
    if (!CHECK(fold_check(seq, dirs, &e, err, sizeof err) == 0))
        printf("  (fold_check(%s, %s): %s)\n", seq, dirs, err);
    return e;
}

/* Conformations of the published energies for the benchmark sequences,
 * from the CRO folding project on GitHub (their strings carry one leading
 * letter more; this is the rest). Replaying them confirms both the
 * sequences and the energies in fold_bench_seqs. */
static const struct { const char *name, *dirs; } published[] = {
    { "yue1",  "RUUULDDFDRUULUFDRRDLDLULDBLBRBUFFLFURUFFLBBBRDB" },
    { "yue2",  "RUBBDLUFDRDBBLFDFUFDRURUUFLLBULDFDDBLURBLDRBUUF" },
    { "yue3",  "RURFLDRBDFDDLUBULFRFRRDBBLBURFRFLURBLUUFDFDFLBU" },
    { "yue4",  "RURFUFDRBBBULDDDFRDBUUFLFDDFURBUFLLBLFDRBDBUBUB" },
    { "yue5",  "RUBULFURDRUUFDDLULDFURDRFUBRDDLFLBLDRBLURRRUBDL" },
    { "yue6",  "RRULBDLLDFRBBRDLFFLBLBRDRRFURBRULBULFURDFDLFRDL" },
    { "yue7",  "RULBDRURDRRFDLULFUBRFDRRUBLBLBDDFLLLFRFFRBBDRFU" },
    { "yue8",  "RRBDLDDFURFFUBLUFFUBRDBRDDFDBLLULUBRRRDBLDFRBDD" },
    { "yue9",  "RURUUBDDLDBRBDFLFRURDFRULUBBDRDLDFLDFULURUFRDDB" },
    { "yue10", "RRDRBBLFULLBURDRRFRULBLUBLFUFDLDRFLURRDBURFFDBD" },
    { "um20",  "FLUBDLFDDRURBLDLULU" },
    { "um24",  "FLURUBDBRFRULUFDRDLFDBB" },
    { "um25",  "FLUBDLLFFRBUFRDDBBRBLLFF" },
    { "um36",  "FFLUFLBDDLUUURUBRFDBBLFDBBDFFRBUFRB" },
    { "um48",  "FLFLBLFUBRRRBBLFDLUBLFDDFFLBUBBRDDRUFDFUFRBBBUL" },
    { "um50",  "FLBLBURBDFRRBLURFLULFDLFRRBRFDBRDBLBLFLBLFFRFRRBL" },
    { "um60",  "FLBBULFRFLFRDRDBLBBDFLBLFFFUFRUBLUBBDBRDLFFLFUBRRBDFFDBRFUF" },
    { "um64",  "FFFLBUFRBBBUFULULDDLBRUURDBDFDBDFLBUFLFRFLFRUFRBRBULFLBDRBDDLFF" },
};

static void test_check(void)
{
    CHECK(energy_of("HHHH", "RRR") == 0);
    CHECK(energy_of("HHHH", "RUL") == -1);          /* a square: 0 and 3 touch */
    CHECK(energy_of("HPPH", "RUL") == -1);
    CHECK(energy_of("HPPP", "RUL") == 0);
    CHECK(energy_of("hppH", "RUL") == -1);          /* lowercase sequences */
    CHECK(energy_of("HH", "B") == 0);
    /* a 2x2x2 cube: 12 edges, 7 of them bonds */
    CHECK(energy_of("HHHHHHHH", "RULFRDL") == -5);
    CHECK(energy_of("HPHPHPHP", "RULFRDL") == 0);   /* H only on one parity */
    CHECK(energy_of("HHPPPPHH", "RULFRDL") == -2);

    check_err("HHHHH", "RULD", "not self-avoiding: residues 1 and 5");
    check_err("HHHHHHH", "RRUULLD", "need 6 letters for 7 residues, got more");
    check_err("HHHH", "RU", "need 3 letters for 4 residues, got 2");
    check_err("HHHH", "", "got 0");
    check_err("HHHH", "RXL", "direction 2 is 'X'");
    check_err("HHHH", "RuL", "direction 2 is 'u'");
    check_err("HXHH", "RUL", "residue 2 is 'X'");
    check_err("HH\nH", "RU", "residue 3 is \\x0a");
    check_err("H", "", "at least 2");
    check_err("", "", "has 0 residues");
    check_err("HH", NULL, "no directions");
    char long_seq[FOLD_MAX_LEN + 2];
    memset(long_seq, 'H', sizeof long_seq - 1);
    long_seq[sizeof long_seq - 1] = '\0';
    check_err(long_seq, "R", "longer than 128");

    /* a small err buffer is truncated and still terminated */
    char small[8];
    int e;
    CHECK(fold_check("HXHH", "RUL", &e, small, sizeof small) == -1);
    CHECK_STREQ(small, "residue");
    CHECK(fold_check("HXHH", "RUL", &e, NULL, 0) == -1);

    for (size_t i = 0; i < sizeof published / sizeof published[0]; i++) {
        const struct fold_bench *b = fold_bench_find(published[i].name);
        if (!CHECK(b != NULL))
            continue;
        if (!CHECK(energy_of(b->seq, published[i].dirs) == b->energy))
            printf("  (%s)\n", b->name);
    }
    CHECK(fold_bench_count == sizeof published / sizeof published[0]);
    CHECK(fold_bench_find("yue11") == NULL);
}

static void check_init_err(const struct fold_params *p, const char *want)
{
    char err[128] = "unset";
    if (!CHECK(fold_init(&sa, p, err, sizeof err) == -1) || !CHECK_CONTAINS(err, want))
        printf("  (want %s)\n", want);
}

static void test_init(void)
{
    struct fold_params p;
    char err[128];

    params(&p, "HPPHX", 1, 100);
    check_init_err(&p, "residue 5 is 'X'");
    params(&p, "H", 1, 100);
    check_init_err(&p, "sequence has 1 residue, need at least 2");
    params(&p, "HPHP", 1, 0);
    check_init_err(&p, "total_moves is 0");
    params(&p, "HPHP", 1, FOLD_MAX_MOVES + 1);
    check_init_err(&p, "total_moves 1000000000001 is above the limit of 1000000000000");
    memset(p.seq, 'H', sizeof p.seq);               /* no NUL at all */
    check_init_err(&p, "longer than 128 residues");
    params(&p, "", 1, 100);
    memset(p.seq, 'P', FOLD_MAX_LEN + 1);           /* 129 residues */
    check_init_err(&p, "longer than 128 residues");
    CHECK(fold_init(&sa, NULL, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "no state or no parameters");

    /* 128 residues is fine; lowercase is stored as uppercase */
    params(&p, "", 1, 100);
    memset(p.seq, 'h', FOLD_MAX_LEN);
    p.seq[3] = 'p';
    CHECK(fold_init(&sa, &p, err, sizeof err) == 0);
    CHECK(sa.n == FOLD_MAX_LEN && sa.params.seq[0] == 'H' && sa.params.seq[3] == 'P');
    CHECK(fold_state_valid(&sa));
    CHECK(fold_run(&sa, 1000) == 100);
    CHECK(fold_finished(&sa) && fold_run(&sa, 1000) == 0);
    CHECK(fold_state_valid(&sa));
    check_best(&sa, __LINE__);

    /* a fresh state: straight line, energy 0, nothing done */
    CHECK(start(&sa, "HPPH", 7, 10));
    char dirs[8];
    CHECK(fold_best_dirs(&sa, dirs, sizeof dirs) == 3);
    CHECK_STREQ(dirs, "RRR");
    CHECK(fold_best_energy(&sa) == 0 && !fold_finished(&sa));
    CHECK(fold_best_dirs(&sa, dirs, 3) == 0);       /* no room for 3 + NUL */
    CHECK_STREQ(dirs, "");
    /* init fills every byte: two inits are identical */
    CHECK(start(&sb, "HPPH", 7, 10));
    CHECK(memcmp(&sa, &sb, sizeof sa) == 0);
}

static void test_determinism(void)
{
    const char *seq = fold_bench_find("um36")->seq;
    CHECK(start(&sa, seq, 12345, 300000));
    CHECK(start(&sb, seq, 12345, 300000));
    CHECK(start(&sc, seq, 54321, 300000));
    fold_run(&sa, UINT64_MAX);
    fold_run(&sb, UINT64_MAX);
    fold_run(&sc, UINT64_MAX);
    CHECK(fold_finished(&sa) && sa.moves_done == 300000);
    CHECK(memcmp(&sa, &sb, sizeof sa) == 0);
    CHECK(memcmp(sa.rep, sc.rep, sizeof sa.rep) != 0);
    CHECK(memcmp(sa.best_pos, sc.best_pos, sizeof sa.best_pos) != 0);
    CHECK(fold_state_valid(&sa) && fold_state_valid(&sc));
    check_best(&sa, __LINE__);
    check_best(&sc, __LINE__);
    CHECK(sa.swaps_tried > 0 && sa.swaps_accepted > 0 && sa.swaps_accepted < sa.swaps_tried);
    for (unsigned r = 0; r < FOLD_REPLICAS; r++)
        CHECK(sa.rep[r].accepted > 0);
}

static const char hexdig[] = "0123456789abcdef";

static void test_checkpoint(void)
{
    const char *seq = fold_bench_find("yue3")->seq;
    const uint64_t total = 200000;

    /* the uninterrupted run */
    CHECK(start(&sa, seq, 99, total));
    CHECK(fold_run(&sa, UINT64_MAX) == total);

    /* run, copy, continue the copy */
    CHECK(start(&sb, seq, 99, total));
    CHECK(fold_run(&sb, 77777) == 77777);
    memcpy(&sc, &sb, sizeof sb);
    CHECK(fold_state_valid(&sc));
    memset(&sb, 0x5a, sizeof sb);
    CHECK(fold_run(&sc, UINT64_MAX) == total - 77777);
    CHECK(memcmp(&sa, &sc, sizeof sa) == 0);

    /* through hex, as to and from the server */
    static char hex[2 * sizeof(struct fold_state) + 1];
    CHECK(start(&sb, seq, 99, total));
    fold_run(&sb, 123456);
    const unsigned char *b = (const unsigned char *)&sb;
    for (size_t i = 0; i < sizeof sb; i++) {
        hex[2 * i] = hexdig[b[i] >> 4];
        hex[2 * i + 1] = hexdig[b[i] & 15];
    }
    memset(&sc, 0, sizeof sc);
    unsigned char *c = (unsigned char *)&sc;
    for (size_t i = 0; i < sizeof sc; i++)
        c[i] = (unsigned char)((strchr(hexdig, hex[2 * i]) - hexdig) << 4 |
                               (strchr(hexdig, hex[2 * i + 1]) - hexdig));
    CHECK(fold_state_valid(&sc));
    fold_run(&sc, UINT64_MAX);
    CHECK(memcmp(&sa, &sc, sizeof sa) == 0);

    /* slices of 1, 7 and 1000 moves (crossing block and exchange
     * boundaries at every possible offset) */
    static const uint64_t slices[] = { 1, 7, 1000, FOLD_BLOCK, FOLD_BLOCK * FOLD_REPLICAS + 1 };
    for (size_t k = 0; k < sizeof slices / sizeof slices[0]; k++) {
        CHECK(start(&sb, seq, 99, total));
        uint64_t calls = 0, sum = 0;
        while (!fold_finished(&sb)) {
            sum += fold_run(&sb, slices[k]);
            calls++;
        }
        CHECK(sum == total && calls == (total + slices[k] - 1) / slices[k]);
        if (!CHECK(memcmp(&sa, &sb, sizeof sa) == 0))
            printf("  (slices of %llu)\n", (unsigned long long)slices[k]);
    }
}

/* A copy of sa with one change, resealed so that only the invariants can
 * catch it; fold_run on it must not crash (the sanitizers watch). */
#define FORGE(what, change) do { \
        memcpy(&sb, &sa, sizeof sa); \
        change; \
        sb.checksum = fold_state_checksum(&sb); \
        if (!CHECK(!fold_state_valid(&sb))) \
            printf("  (forged: %s)\n", what); \
        fold_run(&sb, 5000); \
    } while (0)

static void test_corruption(void)
{
    const char *seq = fold_bench_find("um25")->seq;
    CHECK(start(&sa, seq, 5, 1000000));
    fold_run(&sa, 50000);
    CHECK(fold_state_valid(&sa));

    /* any flipped byte: the checksum no longer matches, fold_run refuses */
    unsigned flagged = 0, tried = 0;
    for (size_t i = 0; i < sizeof sa; i += 61) {
        memcpy(&sb, &sa, sizeof sa);
        ((unsigned char *)&sb)[i] ^= (unsigned char)(1u << (i % 8));
        tried++;
        if (!fold_state_valid(&sb) && fold_run(&sb, 100) == 0)
            flagged++;
    }
    CHECK_EQ_U64(flagged, tried);

    struct fold_replica *r0 = &sb.rep[0];
    unsigned slot = 0;
    while (sa.rep[0].hash[slot] == 0xffffffffu)
        slot++;
    FORGE("magic", sb.magic ^= 1);
    FORGE("version", sb.version = FOLD_STATE_VERSION + 1);
    FORGE("n too large", sb.n = 200);
    FORGE("n longer than the sequence", sb.n = 100);
    FORGE("n shorter than the sequence", sb.n = 3);
    FORGE("sequence letter", sb.params.seq[2] = 'X');
    FORGE("H flag", sb.is_h[0] ^= 1);
    FORGE("moves past total", sb.moves_done = sb.params.total_moves + 1);
    FORGE("total 0", sb.params.total_moves = 0);
    FORGE("rng all zero", memset(sb.rng, 0, sizeof sb.rng));
    FORGE("accept table", sb.accept[3][5]++);
    FORGE("swap table", sb.swap[2][1]--);
    FORGE("temperature", sb.temp_milli[0] = 1);
    FORGE("order duplicate", sb.order[1] = sb.order[0]);
    FORGE("order out of range", sb.order[2] = 77);
    FORGE("replica temperature", r0->temp = 9);
    FORGE("replica energy", r0->energy -= 1);
    FORGE("positive energy", r0->energy = 5);
    FORGE("chain broken", r0->pos[5] ^= 0x030000);
    FORGE("chain overlapping", r0->pos[4] = r0->pos[2]);
    FORGE("position high byte", r0->pos[1] |= 0x01000000);
    FORGE("position past n", r0->pos[100] = 1);
    FORGE("hash index past n", r0->hash[slot] = (r0->hash[slot] & 0xffffff) | 120u << 24);
    FORGE("hash index wrong", r0->hash[slot] ^= 1u << 24);
    FORGE("hash index 255", r0->hash[slot] |= 0xff000000u);
    FORGE("hash entry lost", r0->hash[slot] = 0xffffffffu);
    FORGE("hash full", memset(r0->hash, 0, sizeof r0->hash));
    FORGE("best energy", sb.best_energy -= 1);
    FORGE("best above a replica", sb.best_energy = 0);
    FORGE("best chain", sb.best_pos[3] = sb.best_pos[1]);
    FORGE("best at", sb.best_at = sb.moves_done + 1);
    FORGE("reserved", sb.reserved = 1);
    FORGE("seq tail", sb.params.seq[FOLD_MAX_LEN + 2] = 'H');
    /* and the original is still fine */
    CHECK(fold_state_valid(&sa));
}

/* Every single move keeps every replica a self-avoiding walk whose hash
 * and energy match (fold_state_valid checks all of it pairwise). */
static void test_every_move(void)
{
    const char *seqs[] = { "HH", "HPH", "HHPPHPHHPPHHHPHH", "PPHPPHHPPPPHHPPPPHHPPPPHH" };
    for (size_t k = 0; k < sizeof seqs / sizeof seqs[0]; k++) {
        CHECK(start(&sa, seqs[k], k + 1, 40000));
        uint64_t bad = 0;
        int best = 0;
        while (!fold_finished(&sa)) {
            fold_run(&sa, 1);
            if (!fold_state_valid(&sa) || fold_best_energy(&sa) > best)
                bad++;
            best = fold_best_energy(&sa);
        }
        if (!CHECK_EQ_U64(bad, 0))
            printf("  (%s)\n", seqs[k]);
        check_best(&sa, __LINE__);
    }
}

/* ---- exhaustive enumeration (independent of fold.c) ---- */

#define GRID 32
struct enumr {
    const char *seq;
    int n;
    int best;
    unsigned char occ[GRID][GRID][GRID];   /* residue + 1, 0 free */
};

static void enum_walk(struct enumr *e, int k, int x, int y, int z, int energy, int dim)
{
    static const int d[6][3] = { { 1, 0, 0 }, { -1, 0, 0 }, { 0, 1, 0 },
                                 { 0, -1, 0 }, { 0, 0, 1 }, { 0, 0, -1 } };
    if (k == e->n) {
        if (energy < e->best)
            e->best = energy;
        return;
    }
    for (int i = 0; i < 6; i++) {
        /* symmetry: first step +x; the first step off the x axis +y; the
         * first step off the xy plane +z */
        if (k == 1 && i != 0)
            continue;
        if (dim == 1 && i >= 2 && i != 2)
            continue;
        if (dim == 2 && i >= 4 && i != 4)
            continue;
        int nx = x + d[i][0], ny = y + d[i][1], nz = z + d[i][2];
        if (e->occ[nx][ny][nz])
            continue;
        int de = 0;
        if (e->seq[k] == 'H') {
            for (int j = 0; j < 6; j++) {
                int o = e->occ[nx + d[j][0]][ny + d[j][1]][nz + d[j][2]];
                if (o && o - 1 != k - 1 && e->seq[o - 1] == 'H')
                    de--;
            }
        }
        int ndim = dim;
        if (i >= 2 && dim < 2 && i < 4)
            ndim = 2;
        else if (i >= 4)
            ndim = 3;
        e->occ[nx][ny][nz] = (unsigned char)(k + 1);
        enum_walk(e, k + 1, nx, ny, nz, energy + de, ndim);
        e->occ[nx][ny][nz] = 0;
    }
}

static int enum_optimum(const char *seq)
{
    static struct enumr e;
    memset(&e, 0, sizeof e);
    e.seq = seq;
    e.n = (int)strlen(seq);
    e.occ[GRID / 2][GRID / 2][GRID / 2] = 1;
    enum_walk(&e, 1, GRID / 2, GRID / 2, GRID / 2, 0, 1);
    return e.best;
}

static void test_optimum(void)
{
    /* the enumeration itself, on chains small enough to know by hand */
    CHECK(enum_optimum("HHHH") == -1);
    CHECK(enum_optimum("HPPH") == -1);
    CHECK(enum_optimum("HPH") == 0);
    CHECK(enum_optimum("HHHHHHHH") == -5);          /* the 2x2x2 cube */
    static const char *seqs[] = {
        "HPHPPHHPHH", "HHPHPHHPHPHH", "PHHPHHHPPHHH", "HHHHHHHHHHHH", "HPPHPPHPPHPH",
        "HHPPHHPPHHPP",
    };
    for (size_t k = 0; k < sizeof seqs / sizeof seqs[0]; k++) {
        int opt = enum_optimum(seqs[k]);
        CHECK(start(&sa, seqs[k], 1 + k, 200000));
        fold_run(&sa, UINT64_MAX);
        if (!CHECK(fold_best_energy(&sa) == opt))
            printf("  (%s: folder %d, enumeration %d)\n", seqs[k], fold_best_energy(&sa), opt);
        check_best(&sa, __LINE__);
    }
    /* benchmark instances whose optimum the folder reaches quickly */
    static const char *names[] = { "um20", "um24", "um25" };
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        const struct fold_bench *b = fold_bench_find(names[k]);
        CHECK(start(&sa, b->seq, 1, 2000000));
        fold_run(&sa, UINT64_MAX);
        if (!CHECK(fold_best_energy(&sa) == b->energy))
            printf("  (%s: folder %d, published %d)\n", b->name, fold_best_energy(&sa), b->energy);
        check_best(&sa, __LINE__);
        CHECK(fold_state_valid(&sa));
    }
}

int main(int argc, char **argv)
{
    (void)argc;
    test_check();
    test_init();
    test_determinism();
    test_checkpoint();
    test_corruption();
    test_every_move();
    test_optimum();
    return unit_finish(argv[0]);
}
