/*
 * pcm_gate.c - the test gates, compiled only into the test build of libpcm (make gates:
 * -DPCM_TEST_GATES, BUILD/gates, installed by make install-gates). The production library
 * has no gate code: there PCM_TEST_GATE(phase) is nothing, and PCM_Init warns once that
 * ROAM_PCM_TEST_GATE is ignored (pcm_core.c). docs/failure-model.md, "Test aids".
 */
#ifndef PCM_TEST_GATES
#error "pcm_gate.c belongs to the test build only (-DPCM_TEST_GATES)"
#endif
#include "pcm_internal.h"
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* Off unless ROAM_PCM_TEST_GATE names a directory: at the named phase of a
 * migration the process writes DIR/PHASE.reached (its pid) and waits while the file
 * DIR/PHASE exists, at most 120 s. Fault tests use it to act (kill an agent, cut a link)
 * at an exact point of a migration instead of guessing with sleeps. */
void pcm_test_gate(const char *phase) {
    pcm_test_gate_in(pcm_env.test_gate, phase);
}

void pcm_test_gate_in(const char *dir, const char *phase) {
    if (!dir || !*dir) return;
    char gate[PCM_PATH_MAX], reached[PCM_PATH_MAX + 16], tmp[PCM_PATH_MAX + 32];
    snprintf(gate, sizeof gate, "%s/%s", dir, phase);
    struct stat st;
    if (stat(gate, &st) != 0) return;
    snprintf(reached, sizeof reached, "%s.reached", gate);
    snprintf(tmp, sizeof tmp, "%s.%d.tmp", reached, (int)getpid());
    FILE *f = fopen(tmp, "w");
    if (f) {
        fprintf(f, "%d\n", (int)getpid());
        fclose(f);
        rename(tmp, reached);
    }
    pcm_log("test gate: waiting at '%s' while %s exists", phase, gate);
    for (int i = 0; i < 2400 && stat(gate, &st) == 0; i++) usleep(50000);
    pcm_log("test gate: '%s' passed", phase);
}
