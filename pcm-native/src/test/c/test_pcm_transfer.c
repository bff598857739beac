/* The state transfer (pcm_transfer.c) between a departing process and its replacement, run
 * under mpirun by `make check` (one process, which spawns the replacement again and again)
 * over TCP with small socket buffers, as the migration does it: the departing process posts
 * its sends, waits for them and for the replacement's receipt, then disconnects; the
 * replacement receives into library buffers, progressing only now and then as an application
 * between two MPI calls does (a CPU-starved host does the same), then finishes (receipt,
 * disconnect). Every repetition must end within a bound and deliver the state bit-exact.
 *
 * Without the receipt the departing process disconnects as soon as its sends have completed,
 * while ob1's last FIN still waits in its queue for a full socket; the disconnect (a PMIx fence
 * in Open MPI 4.1) makes no MPI progress, and both processes wait for good: this test then
 * fails at its first or second repetition. */
#include "pcm_internal.h"
#include "pcm_test.h"
#include <signal.h>
#include <unistd.h>

#define REPS 10
#define BOUND_S 60
/* one small message (eager), then 300 KiB and 1 MiB chunks: ob1's RDMA pipeline, a FIN after each;
 * the last message is a full chunk (with small ones last the FIN rarely meets a full socket) */
static const struct { const char *key; int64_t count; } ENTRIES[] = {
    {"iteration", 1}, {"halo", 300 * 1024 / 8}, {"grid", 4 * 1024 * 1024 / 8}};
#define N_ENTRIES (int)(sizeof ENTRIES / sizeof ENTRIES[0])

static volatile sig_atomic_t rep;

static void on_alarm(int sig) {
    (void)sig;
    char m[160];
    int n = snprintf(m, sizeof m, "test_pcm_transfer: FAILED: repetition %d did not end within %d s (the transfer hung)\n",
                     (int)rep, BOUND_S);
    if (write(2, m, (size_t)n) < 0) _exit(3);
    _exit(2);
}

static double value(int r, int entry, int64_t i) { return r * 1e6 + entry * 1e5 + (double)i; }

static void depart(char *self) {
    double *data[N_ENTRIES];
    for (int k = 0; k < N_ENTRIES; k++) data[k] = malloc((size_t)ENTRIES[k].count * sizeof(double));
    signal(SIGALRM, on_alarm);
    for (rep = 0; rep < REPS; rep++) {
        alarm(BOUND_S);
        pcm_registry_clear(&pcm_g.stored);
        for (int k = 0; k < N_ENTRIES; k++) {
            for (int64_t i = 0; i < ENTRIES[k].count; i++) data[k][i] = value(rep, k, i);
            EXPECT_EQ(pcm_registry_put(&pcm_g.stored, ENTRIES[k].key, data[k], pcm_type_code(MPI_DOUBLE),
                                       ENTRIES[k].count), PCM_SUCCESS);
        }
        MPI_Comm inter, pair;
        char *args[] = {"replacement", NULL};
        EXPECT_EQ(MPI_Comm_spawn(self, args, 1, MPI_INFO_NULL, 0, MPI_COMM_SELF, &inter, MPI_ERRCODES_IGNORE),
                  MPI_SUCCESS);
        MPI_Intercomm_merge(inter, 0, &pair);
        MPI_Request *reqs = NULL;
        int n = 0;
        EXPECT_EQ(pcm_transfer_post_sends(inter, &reqs, &n), PCM_SUCCESS);
        EXPECT_EQ(pcm_transfer_wait_sends(reqs, n, 0), PCM_SUCCESS);
        EXPECT_EQ(pcm_transfer_await_receipt(inter), PCM_SUCCESS);
        MPI_Comm_free(&pair);
        MPI_Comm_disconnect(&inter);
    }
    alarm(0);
    for (int k = 0; k < N_ENTRIES; k++) free(data[k]);
}

static void replace(MPI_Comm parent) {
    int r = -1;
    for (int k = 0; k < N_ENTRIES; k++) {
        EXPECT_EQ(pcm_registry_put(&pcm_g.restored_state, ENTRIES[k].key, NULL, pcm_type_code(MPI_DOUBLE), 0),
                  PCM_SUCCESS);
        pcm_g.restored_state.tail->count = ENTRIES[k].count;
    }
    EXPECT_EQ(MPI_Intercomm_merge(parent, 1, &pcm_g.pair), MPI_SUCCESS);
    EXPECT_EQ(pcm_transfer_post_receives(parent), PCM_SUCCESS);
    EXPECT_EQ(pcm_g.n_reqs, 6);   /* all of it eagerly: 1 + 1 + 4 chunks */
    for (int done = 0; !done; usleep(200))   /* MPI progress only now and then */
        MPI_Testall(pcm_g.n_reqs, pcm_g.reqs, &done, MPI_STATUSES_IGNORE);
    int k = 0, exact = 1;
    for (pcm_entry *e = pcm_g.restored_state.head; e; e = e->next, k++) {
        const double *d = e->data;
        if (r < 0) r = (int)(d[0] / 1e6);   /* the repetition, from the first value */
        for (int64_t i = 0; i < e->count; i++) exact &= d[i] == value(r, k, i);
    }
    EXPECT(exact);   /* a replacement that fails exits non-zero: mpirun then aborts the test */
    int rc = pcm_transfer_finish();   /* the receipt, the disconnect */
    EXPECT_EQ(rc, PCM_SUCCESS);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    EXPECT_EQ(pcm_env_load(), 0);   /* the eager receives: ROAM_PCM_EAGER_MB's default */
    MPI_Comm parent;
    MPI_Comm_get_parent(&parent);
    int failed;
    if (parent == MPI_COMM_NULL) {
        depart(argv[0]);
        failed = TEST_SUMMARY("test_pcm_transfer");
    } else {
        replace(parent);
        failed = pcm_test_failures ? TEST_SUMMARY("test_pcm_transfer (replacement)") : 0;
    }
    MPI_Finalize();
    return failed;
}
