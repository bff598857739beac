/* The mapping of MPI_COMM_WORLD to the PCM world, run under mpirun by `make check`:
 *   test_pcm_map        (3 ranks, mapping on by default)
 *   test_pcm_map off    (ROAM_PCM_WORLD_MAP=0; then PCM_Set_world_map(1) overrides it)
 * Without an agent there is no migration, so the test makes the mapping observable by
 * pointing it at a communicator with the ranks reversed: every MPI call on
 * MPI_COMM_WORLD must then behave as on that communicator. The real migrations are in
 * PcmDerivedCommTest (pcm_derived_prog.c) and the samples' tests. */
#include "pcm_internal.h"
#include "pcm_test.h"

static int real_rank(void) {
    int r;
    PMPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

/* MPI calls on MPI_COMM_WORLD while it stands for `target` (ranks reversed). */
static void calls_follow_the_mapping(MPI_Comm target, int size) {
    int me = real_rank(), rev = size - 1 - me;
    MPI_Comm saved = pcm_map_world;
    pcm_map_world = target;
    int r = -1, s = -1;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    MPI_Comm_size(MPI_COMM_WORLD, &s);
    EXPECT_EQ(r, rev);
    EXPECT_EQ(s, size);
    /* collectives: rank 0 of MPI_COMM_WORLD is the last real rank */
    int root_real = me;
    MPI_Bcast(&root_real, 1, MPI_INT, 0, MPI_COMM_WORLD);
    EXPECT_EQ(root_real, size - 1);
    int all[16] = {0};
    MPI_Allgather(&me, 1, MPI_INT, all, 1, MPI_INT, MPI_COMM_WORLD);
    for (int i = 0; i < size; i++) EXPECT_EQ(all[i], size - 1 - i);
    int sum = 0;
    MPI_Allreduce(&r, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    EXPECT_EQ(sum, size * (size - 1) / 2);
    /* point to point: a ring over the mapped ranks, blocking and non-blocking */
    int next = (r + 1) % size, prev = (r + size - 1) % size, got = -1;
    MPI_Sendrecv(&me, 1, MPI_INT, next, 5, &got, 1, MPI_INT, prev, 5, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    EXPECT_EQ(got, size - 1 - prev);
    MPI_Request req[2];
    got = -1;
    MPI_Irecv(&got, 1, MPI_INT, prev, 6, MPI_COMM_WORLD, &req[0]);
    MPI_Isend(&me, 1, MPI_INT, next, 6, MPI_COMM_WORLD, &req[1]);
    MPI_Waitall(2, req, MPI_STATUSES_IGNORE);
    EXPECT_EQ(got, size - 1 - prev);
    /* derived communicators inherit the mapped ranks */
    MPI_Comm dup, split, cart;
    int res = -1;
    MPI_Comm_dup(MPI_COMM_WORLD, &dup);
    MPI_Comm_compare(dup, target, &res);
    EXPECT_EQ(res, MPI_CONGRUENT);
    MPI_Comm_compare(MPI_COMM_WORLD, target, &res);
    EXPECT_EQ(res, MPI_IDENT);
    MPI_Comm_split(MPI_COMM_WORLD, 0, r, &split);
    MPI_Comm_rank(split, &got);
    EXPECT_EQ(got, rev);
    int dims[1] = {size}, periods[1] = {1}, src = -1, dst = -1;
    MPI_Cart_create(MPI_COMM_WORLD, 1, dims, periods, 0, &cart);
    MPI_Cart_shift(cart, 0, 1, &src, &dst);
    EXPECT_EQ(dst, next);
    MPI_Comm_free(&cart);
    MPI_Comm_free(&split);
    MPI_Comm_free(&dup);
    pcm_map_world = saved;
}

static void mapping_on(MPI_Comm world, int size) {
    EXPECT_EQ(PCM_Get_world_map(), 1);
    EXPECT(pcm_map_world != MPI_COMM_WORLD && pcm_map_world != world);
    int res = -1;
    PMPI_Comm_compare(pcm_map_world, world, &res);
    EXPECT_EQ(res, MPI_CONGRUENT);
    EXPECT_EQ(PCM_Set_world_map(0), PCM_ERR_INITIALIZED);
    /* MPI_COMM_WORLD keeps its own face: name, fatal errors, predefined attributes */
    char name[MPI_MAX_OBJECT_NAME];
    int len = 0, flag = 0;
    MPI_Comm_get_name(MPI_COMM_WORLD, name, &len);
    EXPECT(strcmp(name, "MPI_COMM_WORLD") == 0);
    MPI_Errhandler eh;
    MPI_Comm_get_errhandler(MPI_COMM_WORLD, &eh);
    EXPECT(eh == MPI_ERRORS_ARE_FATAL);
    MPI_Errhandler_free(&eh);
    MPI_Comm_get_errhandler(world, &eh);
    EXPECT(eh == MPI_ERRORS_RETURN);   /* PCM's world: libpcm handles its own errors */
    MPI_Errhandler_free(&eh);
    int *val = NULL;
    MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &val, &flag);
    EXPECT(flag && *val >= 32767);
    flag = 0;
    MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_LASTUSEDCODE, &val, &flag);   /* not on duplicates */
    EXPECT(flag);
    /* a user attribute goes to the mapped world */
    int key = MPI_KEYVAL_INVALID, x = 42;
    MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, MPI_COMM_NULL_DELETE_FN, &key, NULL);
    MPI_Comm_set_attr(MPI_COMM_WORLD, key, &x);
    flag = 0;
    PMPI_Comm_get_attr(pcm_map_world, key, &val, &flag);
    EXPECT(flag && val == &x);
    MPI_Comm_delete_attr(MPI_COMM_WORLD, key);
    MPI_Comm_free_keyval(&key);

    /* rank and traffic: a message on MPI_COMM_WORLD counts for the peer of the PCM world */
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    unsigned long long m0 = 0, b0 = 0, m1 = 0, b1 = 0;
    int peer = (rank + 1) % size, from = (rank + size - 1) % size;
    double d[4] = {0};
    PCM_Get_peer_traffic(peer, &m0, &b0);
    MPI_Sendrecv_replace(d, 4, MPI_DOUBLE, peer, 3, from, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    PCM_Get_peer_traffic(peer, &m1, &b1);
    EXPECT_EQ(m1 - m0, 1);
    EXPECT_EQ(b1 - b0, 4 * sizeof(double));

    /* the error handler the program sets on MPI_COMM_WORLD survives a new duplicate
     * (what PCM_Reconfigure makes); the old one is freed */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm before = pcm_map_world;
    EXPECT_EQ(pcm_map_open(), PCM_SUCCESS);
    EXPECT(pcm_map_world != before && pcm_map_world != MPI_COMM_WORLD);
    MPI_Comm_get_errhandler(MPI_COMM_WORLD, &eh);
    EXPECT(eh == MPI_ERRORS_RETURN);
    MPI_Errhandler_free(&eh);
    EXPECT(MPI_Send(d, 1, MPI_DOUBLE, size + 5, 0, MPI_COMM_WORLD) != MPI_SUCCESS);   /* returned, not fatal */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);

    MPI_Comm rev;
    PMPI_Comm_split(world, 0, size - 1 - real_rank(), &rev);
    calls_follow_the_mapping(rev, size);
    PMPI_Comm_free(&rev);
}

int main(int argc, char **argv) {
    int off = argc > 1 && strcmp(argv[1], "off") == 0;
    setenv("ROAM_AGENT_SOCKET", "none", 1);
    MPI_Init(&argc, &argv);
    int size;
    PMPI_Comm_size(MPI_COMM_WORLD, &size);
    EXPECT(size <= 16);
    /* before PCM_Init MPI_COMM_WORLD is itself */
    EXPECT_EQ(PCM_Get_world_map(), PCM_ERR_NOT_INITIALIZED);
    EXPECT(pcm_map(MPI_COMM_WORLD) == MPI_COMM_WORLD);
    EXPECT_EQ(PCM_Set_world_map(2), PCM_ERR_ARG);
    int r = -1;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    EXPECT_EQ(r, real_rank());

    MPI_Comm world;
    EXPECT_EQ(PCM_Init(&world), PCM_SUCCESS);
    if (off) {
        EXPECT_EQ(PCM_Get_world_map(), 0);
        EXPECT(pcm_map(MPI_COMM_WORLD) == MPI_COMM_WORLD);
        MPI_Comm_rank(MPI_COMM_WORLD, &r);
        EXPECT_EQ(r, real_rank());
        EXPECT_EQ(PCM_Finalize(&world), PCM_SUCCESS);
        /* the call overrides ROAM_PCM_WORLD_MAP=0 */
        EXPECT_EQ(PCM_Set_world_map(1), PCM_SUCCESS);
        EXPECT_EQ(PCM_Init(&world), PCM_SUCCESS);
    }
    mapping_on(world, size);
    EXPECT_EQ(PCM_Finalize(&world), PCM_SUCCESS);
    /* after PCM_Finalize: itself again */
    EXPECT(pcm_map_world == MPI_COMM_WORLD);
    EXPECT_EQ(PCM_Get_world_map(), PCM_ERR_NOT_INITIALIZED);
    int s = -1;
    MPI_Comm_size(MPI_COMM_WORLD, &s);
    EXPECT_EQ(s, size);
    MPI_Finalize();
    return TEST_SUMMARY(off ? "test_pcm_map off" : "test_pcm_map");
}
