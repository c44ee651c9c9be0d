/* Runs on the host: the management partition's folder (guest/mgmt/fold.c)
 * as a command-line program, for speed and quality measurements.
 *   foldbench [SEQ|NAME] [MOVES] [SEED]   fold (default yue1, 10M moves,
 *                                         seed 1); prints moves/s, the best
 *                                         energy and its directions
 *   foldbench check SEQ|NAME DIRS         energy of a conformation (exit 1
 *                                         and the reason if invalid)
 *   foldbench list                        the benchmark sequences
 * Build: gcc -std=gnu11 -Wall -Wextra -Werror -O2 -Iinclude -I.
 *        tools/foldbench.c guest/mgmt/fold.c -o build/foldbench */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "guest/mgmt/fold.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int parse_u64(const char *str, const char *what, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(str, &end, 0);
    /* accept 10M / 5k style suffixes */
    if (end != str && (*end == 'k' || *end == 'K')) {
        v *= 1000ull;
        end++;
    } else if (end != str && (*end == 'm' || *end == 'M')) {
        v *= 1000000ull;
        end++;
    }
    if (errno || end == str || *end || str[0] == '-') {
        fprintf(stderr, "foldbench: %s '%s' is not a number\n", what, str);
        return -1;
    }
    *out = v;
    return 0;
}

/* a benchmark name or a sequence itself; *known = published optimum or 1 */
static const char *resolve(const char *arg, int *known)
{
    const struct fold_bench *b = fold_bench_find(arg);
    *known = b ? b->energy : 1;
    return b ? b->seq : arg;
}

static int check(const char *seqarg, const char *dirs)
{
    int known, e;
    char err[160];
    const char *seq = resolve(seqarg, &known);
    if (fold_check(seq, dirs, &e, err, sizeof err) != 0) {
        fprintf(stderr, "invalid: %s\n", err);
        return 1;
    }
    printf("energy %d", e);
    if (known <= 0)
        printf(" (published optimum %d)", known);
    printf("\n");
    return 0;
}

static int fold(const char *seqarg, uint64_t moves, uint64_t seed)
{
    static struct fold_state s;
    struct fold_params p;
    char err[160], dirs[FOLD_MAX_LEN + 1];
    int known;
    const char *seq = resolve(seqarg, &known);

    memset(&p, 0, sizeof p);
    if (strlen(seq) >= sizeof p.seq) {
        fprintf(stderr, "foldbench: sequence longer than %u residues\n", FOLD_MAX_LEN);
        return 2;
    }
    strcpy(p.seq, seq);
    p.seed = seed;
    p.total_moves = moves;
    if (fold_init(&s, &p, err, sizeof err) != 0) {
        fprintf(stderr, "foldbench: %s\n", err);
        return 2;
    }
    printf("seq %s (%u residues)", s.params.seq, s.n);
    if (known <= 0)
        printf(", published optimum %d", known);
    printf("\n");

    double t0 = now_s(), next = t0 + 5;
    int last = 1;
    uint64_t reached_at = 0;
    while (!fold_finished(&s)) {
        fold_run(&s, 1000000);
        if (fold_best_energy(&s) != last) {
            last = fold_best_energy(&s);
            if (last == known)
                reached_at = s.best_at;
        }
        if (now_s() >= next) {
            printf("  %llu moves, best %d\n", (unsigned long long)s.moves_done, last);
            fflush(stdout);
            next += 5;
        }
    }
    double dt = now_s() - t0;
    fold_best_dirs(&s, dirs, sizeof dirs);
    printf("moves %llu in %.2f s: %.2f M moves/s\n", (unsigned long long)s.moves_done, dt,
           s.moves_done / dt / 1e6);
    printf("best %d at move %llu", fold_best_energy(&s), (unsigned long long)s.best_at);
    if (known <= 0)
        printf(" (published %d%s)", known, reached_at ? ", reached" : "");
    printf("\nswaps %llu/%llu accepted; acceptance per temperature:",
           (unsigned long long)s.swaps_accepted, (unsigned long long)s.swaps_tried);
    for (unsigned t = 0; t < FOLD_REPLICAS; t++) {
        const struct fold_replica *r = &s.rep[s.order[t]];
        printf(" %u:E%d", s.temp_milli[t], r->energy);
    }
    printf("\ndirs %s\n", dirs);
    if (!fold_state_valid(&s)) {
        fprintf(stderr, "foldbench: final state fails fold_state_valid\n");
        return 1;
    }
    int e;
    if (fold_check(s.params.seq, dirs, &e, err, sizeof err) != 0 || e != fold_best_energy(&s)) {
        fprintf(stderr, "foldbench: fold_check disagrees: %s\n", err);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t moves = 10000000, seed = 1;
    if (argc == 2 && strcmp(argv[1], "list") == 0) {
        for (size_t i = 0; i < fold_bench_count; i++)
            printf("%-6s %4d  %s\n", fold_bench_seqs[i].name, fold_bench_seqs[i].energy,
                   fold_bench_seqs[i].seq);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "check") == 0)
        return check(argv[2], argv[3]);
    if (argc > 4 || (argc > 1 && argv[1][0] == '-')) {
        fprintf(stderr, "usage: foldbench [SEQ|NAME] [MOVES] [SEED]\n"
                        "       foldbench check SEQ|NAME DIRS\n"
                        "       foldbench list\n");
        return 2;
    }
    if ((argc > 2 && parse_u64(argv[2], "MOVES", &moves) != 0) ||
        (argc > 3 && parse_u64(argv[3], "SEED", &seed) != 0))
        return 2;
    return fold(argc > 1 ? argv[1] : "yue1", moves, seed);
}
