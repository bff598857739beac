/* bench_util.h - what the C micro-benchmarks share: a monotonic clock in seconds and a
 * comparison of doubles for qsort (medians). */
#ifndef ROAM_BENCH_UTIL_H
#define ROAM_BENCH_UTIL_H
#include <time.h>

static inline double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static inline int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
#endif
