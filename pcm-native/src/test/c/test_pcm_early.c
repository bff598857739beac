/* The rule of a replacement's start (pcm_early.c), run under mpirun by `make check` (2 ranks).
 * Without an agent no rank is a replacement, so the test arms the guard itself, as PCM_Init
 * does in a replacement, and replaces the abort with a hook that records the refusal and
 * returns an error: which calls are refused, on which communicators, and that PCM_Status
 * ends the window. The real case (a replacement's MPI_Bcast aborting the job with the
 * message) is EarlyCollectiveTest in samples/heat-diffusion. */
#include "pcm_internal.h"
#include "pcm_test.h"

static char last_call[64];
static char last_comm[64];
static int refusals;

static int record(const char *call, const char *comm_name) {
    snprintf(last_call, sizeof last_call, "%s", call);
    snprintf(last_comm, sizeof last_comm, "%s", comm_name);
    refusals++;
    return MPI_ERR_OTHER;
}

#define REFUSED(expr, name, comm)                                   \
    do {                                                            \
        int before_ = refusals;                                     \
        EXPECT_EQ((expr), MPI_ERR_OTHER);                           \
        EXPECT_EQ(refusals, before_ + 1);                           \
        EXPECT(strcmp(last_call, name) == 0);                       \
        EXPECT(strcmp(last_comm, comm) == 0);                       \
    } while (0)

#define ALLOWED(expr)                                               \
    do {                                                            \
        int before_ = refusals;                                     \
        EXPECT_EQ((expr), MPI_SUCCESS);                             \
        EXPECT_EQ(refusals, before_);                               \
    } while (0)

/* The calls a replacement's start makes and may make: local ones, and building
 * communicators from the world (collective with the others' re-derivation). */
static void harmless_calls_stay_allowed(MPI_Comm world, int size) {
    MPI_Comm comms[2] = {MPI_COMM_WORLD, world};
    for (int i = 0; i < 2; i++) {
        MPI_Comm c = comms[i];
        int r = -1, s = -1, flag = 0, res = -1, inter = -1, len = 0, topo = -1;
        int *ub = NULL;
        char name[MPI_MAX_OBJECT_NAME];
        MPI_Errhandler eh;
        MPI_Group g;
        ALLOWED(MPI_Comm_rank(c, &r));
        ALLOWED(MPI_Comm_size(c, &s));
        EXPECT_EQ(s, size);
        ALLOWED(MPI_Comm_get_attr(c, MPI_TAG_UB, &ub, &flag));
        EXPECT(flag && ub && *ub > 0);
        ALLOWED(MPI_Comm_get_name(c, name, &len));
        ALLOWED(MPI_Comm_get_errhandler(c, &eh));
        MPI_Errhandler_free(&eh);
        ALLOWED(MPI_Comm_group(c, &g));
        MPI_Group_free(&g);
        ALLOWED(MPI_Comm_compare(c, world, &res));
        ALLOWED(MPI_Comm_test_inter(c, &inter));
        ALLOWED(MPI_Topo_test(c, &topo));
        int bytes = 0;
        ALLOWED(MPI_Pack_size(4, MPI_INT, c, &bytes));
        MPI_Request persistent;
        int x = 0;
        ALLOWED(MPI_Send_init(&x, 1, MPI_INT, (r + 1) % s, 3, c, &persistent));
        MPI_Request_free(&persistent);
        /* re-deriving at the start: collective, matched by the same calls in the other ranks */
        MPI_Comm dup, split, cart;
        int dims[1] = {size}, periods[1] = {1};
        ALLOWED(MPI_Comm_dup(c, &dup));
        ALLOWED(MPI_Comm_split(c, 0, r, &split));
        ALLOWED(MPI_Cart_create(c, 1, dims, periods, 0, &cart));
        /* communication on communicators other than the world is the program's business */
        int sum = -1;
        ALLOWED(MPI_Allreduce(&r, &sum, 1, MPI_INT, MPI_SUM, dup));
        EXPECT_EQ(sum, size * (size - 1) / 2);
        int one = r;
        ALLOWED(MPI_Bcast(&one, 1, MPI_INT, 0, MPI_COMM_SELF));
        EXPECT_EQ(one, r);
        MPI_Comm_free(&dup);
        MPI_Comm_free(&split);
        MPI_Comm_free(&cart);
    }
}

/* Communication on the world, by either name, point-to-point or collective, blocking or not. */
static void communication_on_the_world_is_refused(MPI_Comm world) {
    int x = 1, y = 0, flag = 0;
    MPI_Request req = MPI_REQUEST_NULL;
    MPI_Message msg;
    REFUSED(MPI_Bcast(&x, 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Bcast", "MPI_COMM_WORLD");
    REFUSED(MPI_Bcast(&x, 1, MPI_INT, 0, world), "MPI_Bcast", "the PCM world");
    REFUSED(MPI_Allreduce(&x, &y, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce", "MPI_COMM_WORLD");
    REFUSED(MPI_Allreduce(&x, &y, 1, MPI_INT, MPI_MAX, world), "MPI_Allreduce", "the PCM world");
    REFUSED(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier", "MPI_COMM_WORLD");
    REFUSED(MPI_Reduce(&x, &y, 1, MPI_INT, MPI_SUM, 0, world), "MPI_Reduce", "the PCM world");
    REFUSED(MPI_Gather(&x, 1, MPI_INT, &y, 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Gather", "MPI_COMM_WORLD");
    REFUSED(MPI_Iallreduce(&x, &y, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &req), "MPI_Iallreduce", "MPI_COMM_WORLD");
    REFUSED(MPI_Ibcast(&x, 1, MPI_INT, 0, world, &req), "MPI_Ibcast", "the PCM world");
    REFUSED(MPI_Ibarrier(MPI_COMM_WORLD, &req), "MPI_Ibarrier", "MPI_COMM_WORLD");
    REFUSED(MPI_Ineighbor_alltoall(&x, 1, MPI_INT, &y, 1, MPI_INT, MPI_COMM_WORLD, &req),
            "MPI_Ineighbor_alltoall", "MPI_COMM_WORLD");
    REFUSED(MPI_Send(&x, 1, MPI_INT, 0, 1, MPI_COMM_WORLD), "MPI_Send", "MPI_COMM_WORLD");
    REFUSED(MPI_Recv(&y, 1, MPI_INT, 0, 1, world, MPI_STATUS_IGNORE), "MPI_Recv", "the PCM world");
    REFUSED(MPI_Isend(&x, 1, MPI_INT, 0, 1, world, &req), "MPI_Isend", "the PCM world");
    REFUSED(MPI_Irecv(&y, 1, MPI_INT, 0, 1, MPI_COMM_WORLD, &req), "MPI_Irecv", "MPI_COMM_WORLD");
    REFUSED(MPI_Sendrecv(&x, 1, MPI_INT, 0, 1, &y, 1, MPI_INT, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
            "MPI_Sendrecv", "MPI_COMM_WORLD");
    REFUSED(MPI_Probe(MPI_ANY_SOURCE, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Probe", "MPI_COMM_WORLD");
    REFUSED(MPI_Iprobe(MPI_ANY_SOURCE, 1, world, &flag, MPI_STATUS_IGNORE), "MPI_Iprobe", "the PCM world");
    REFUSED(MPI_Mprobe(MPI_ANY_SOURCE, 1, MPI_COMM_WORLD, &msg, MPI_STATUS_IGNORE), "MPI_Mprobe",
            "MPI_COMM_WORLD");
    EXPECT(req == MPI_REQUEST_NULL);   /* nothing was started */
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm world;
    EXPECT_EQ(PCM_Init(&world), PCM_SUCCESS);
    int size = 0;
    PMPI_Comm_size(world, &size);
    EXPECT_EQ(pcm_early_guard, 0);   /* a fresh rank: no window */
    pcm_early_test_hook = record;

    pcm_early_arm(1);                /* as PCM_Init does in a replacement */
    harmless_calls_stay_allowed(world, size);
    communication_on_the_world_is_refused(world);

    /* the mapping off: MPI_COMM_WORLD is the real world, not the job's; only the PCM world counts */
    MPI_Comm mapped = pcm_map_world;
    pcm_map_world = MPI_COMM_WORLD;
    int x = 7;
    ALLOWED(MPI_Bcast(&x, 1, MPI_INT, 0, MPI_COMM_WORLD));
    REFUSED(MPI_Barrier(world), "MPI_Barrier", "the PCM world");
    pcm_map_world = mapped;

    /* the first PCM_Status ends the window: the same calls go through */
    EXPECT_EQ(PCM_Status(world), PCM_CONTINUE);
    EXPECT_EQ(pcm_early_guard, 0);
    int rank = -1, root = -1, sum = -1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    root = rank == 0 ? 42 : 0;
    ALLOWED(MPI_Bcast(&root, 1, MPI_INT, 0, MPI_COMM_WORLD));
    EXPECT_EQ(root, 42);
    ALLOWED(MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, world));
    EXPECT_EQ(sum, size * (size - 1) / 2);

    /* PCM_Finalize also ends it */
    pcm_early_arm(1);
    EXPECT_EQ(PCM_Finalize(&world), PCM_SUCCESS);
    EXPECT_EQ(pcm_early_guard, 0);
    int failed = TEST_SUMMARY("test_pcm_early");
    MPI_Finalize();
    return failed;
}
