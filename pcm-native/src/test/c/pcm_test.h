/* pcm_test.h - a minimal assertion harness for the C unit tests. */
#ifndef PCM_TEST_H
#define PCM_TEST_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int pcm_test_failures = 0;
static int pcm_test_checks = 0;

#define EXPECT(cond)                                                              \
    do {                                                                          \
        pcm_test_checks++;                                                        \
        if (!(cond)) {                                                            \
            pcm_test_failures++;                                                  \
            fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond);    \
        }                                                                         \
    } while (0)

#define EXPECT_EQ(a, b)                                                           \
    do {                                                                          \
        long long a_ = (long long)(a), b_ = (long long)(b);                       \
        pcm_test_checks++;                                                        \
        if (a_ != b_) {                                                           \
            pcm_test_failures++;                                                  \
            fprintf(stderr, "%s:%d: FAILED: %s == %s (%lld != %lld)\n", __FILE__, \
                    __LINE__, #a, #b, a_, b_);                                    \
        }                                                                         \
    } while (0)

#define TEST_SUMMARY(name)                                                        \
    (fprintf(stderr, "%s: %d checks, %d failures\n", name, pcm_test_checks,       \
             pcm_test_failures),                                                  \
     pcm_test_failures ? 1 : 0)
#endif
