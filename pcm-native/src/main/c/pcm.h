/*
 * pcm.h - the PCM (Process Checkpointing and Migration) API of Roam.
 *
 * An iterative MPI program instrumented with these calls lets the Roam agent of its
 * node move any of its ranks to another host while it runs:
 *
 *     MPI_Init(&argc, &argv);
 *     MPI_Comm world;
 *     PCM_Init(&world);                        // the application's world; MPI calls
 *     MPI_Comm_rank(world, &rank);             // on MPI_COMM_WORLD are mapped to it
 *     ... allocate ...
 *     if (PCM_Process_Status() == PCM_STARTED_RESTORED) {
 *         PCM_Load("grid", grid, MPI_DOUBLE, n);
 *         PCM_Load("iter", &iter, MPI_INT, 1);
 *     }
 *     PCM_Store("grid", grid, MPI_DOUBLE, n);  // registered by reference
 *     PCM_Store("iter", &iter, MPI_INT, 1);
 *     for (; iter < iters; iter++) {
 *         int s = PCM_Status(world);
 *         if (s == PCM_MIGRATE || s == PCM_RECONFIGURE) {
 *             PCM_Reconfigure(&world);         // the migrating rank never returns
 *             MPI_Comm_rank(world, &rank);
 *         }
 *         ... compute, exchange halos on world ...
 *     }
 *     PCM_Finalize(&world);
 *     MPI_Finalize();
 *
 * Every function returns PCM_SUCCESS (0) or a negative PCM_ERR_* code; PCM_Error_string
 * turns a code into text. docs/pcm-protocol.md describes the agent socket.
 */
#ifndef ROAM_PCM_H
#define ROAM_PCM_H

#include <mpi.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What libpcm.so exports. It is built with -fvisibility=hidden: only what carries PCM_API
 * is visible to programs, namely the PCM_* functions below and libpcm's MPI_* wrappers (its
 * PMPI interposition). Everything else in the library (pcm_*) stays internal. */
#if defined(__GNUC__) && __GNUC__ >= 4
#define PCM_API __attribute__((visibility("default")))
#else
#define PCM_API
#endif

#define PCM_VERSION_MAJOR 1
#define PCM_VERSION_MINOR 0

/* PCM_Process_Status */
#define PCM_STARTED_FRESH     1  /* started by mpirun */
#define PCM_STARTED_RESTORED  2  /* a replacement: PCM_Load gives the moved state */
#define PCM_STARTED_JOINED    3  /* spawned by a grow (PCM_Resize_begin): takes part in the resize */

/* PCM_Status */
#define PCM_CONTINUE     0  /* nothing to do */
#define PCM_MIGRATE      1  /* this rank moves: call PCM_Reconfigure */
#define PCM_RECONFIGURE  2  /* another rank moves: call PCM_Reconfigure */
#define PCM_RESIZE       3  /* the job changes its number of processes: PCM_Resize_begin */

/* Error codes: all negative. */
#define PCM_SUCCESS             0
#define PCM_ERR_NOT_INITIALIZED -1   /* a call before PCM_Init or after PCM_Finalize */
#define PCM_ERR_INITIALIZED     -2   /* PCM_Init twice */
#define PCM_ERR_MPI_NOT_INIT    -3   /* PCM_Init before MPI_Init */
#define PCM_ERR_ARG             -4   /* a NULL pointer, negative count, bad communicator */
#define PCM_ERR_KEY             -5   /* PCM_Load of a key that was never stored */
#define PCM_ERR_TYPE            -6   /* datatype differs from the stored one */
#define PCM_ERR_COUNT           -7   /* count differs from the stored one */
#define PCM_ERR_NO_STATE        -8   /* PCM_Load in a process that was not restored */
#define PCM_ERR_NOMEM           -9
#define PCM_ERR_MPI             -10  /* an MPI call failed */
#define PCM_ERR_SPAWN           -11  /* MPI_Comm_spawn failed; the old placement stays */
#define PCM_ERR_HOST            -12  /* the target host does not resolve */
#define PCM_ERR_NO_MIGRATION    -13  /* PCM_Reconfigure without a PCM_Status decision */
#define PCM_ERR_COMM            -14  /* the communicator is not the PCM world */
#define PCM_ERR_AGENT           -15  /* the agent socket failed (the app goes on) */
#define PCM_ERR_KEY_LENGTH      -16  /* a key longer than PCM_MAX_KEY or empty */
#define PCM_ERR_TRANSFER        -17  /* the state transfer failed */
#define PCM_ERR_DATATYPE        -18  /* a datatype PCM cannot store (derived types) */
#define PCM_ERR_PROTOCOL        -20  /* a malformed frame on the agent socket */
#define PCM_ERR_SUPERSEDED      -21  /* a newer migration order replaced this one */
#define PCM_ERR_ENV             -22  /* PCM_Init: a ROAM_* variable out of range (stderr names it) */
#define PCM_ERR_NO_RESIZE       -23  /* PCM_Resize_* without a PCM_RESIZE decision (or out of order) */
#define PCM_ERR_INTERNAL        -30

#define PCM_MAX_KEY 63

/* Initialize PCM after MPI_Init. *world receives the application's world
 * communicator: a duplicate of MPI_COMM_WORLD on a fresh start, the merged world in
 * a replacement (holding the departed rank's number). Pass it to the PCM calls; for
 * MPI calls use it or MPI_COMM_WORLD, which stands for it while the mapping is on
 * (PCM_Set_world_map below). A replacement must not communicate on the world (no
 * collective, no point-to-point) before its first PCM_Status: the other ranks are past
 * that point. libpcm refuses such a call with a message naming it and aborts the job
 * (mpirun exits with 70); local calls and building communicators stay allowed
 * (docs/instrumenting.md, step 4). PCM_Init reads libpcm's ROAM_* environment variables
 * (README.md, "Environment of a PCM process"); one out of its range fails it with
 * PCM_ERR_ENV before any communication, and a line on stderr names the variable and what
 * it allows. */
PCM_API int PCM_Init(MPI_Comm *world);

/* PCM_STARTED_FRESH or PCM_STARTED_RESTORED, or a negative error. */
PCM_API int PCM_Process_Status(void);

/* How many times this rank has moved (0 on a fresh start). */
PCM_API int PCM_Moves(void);

/* Register (or update) a named piece of state: count elements of a predefined MPI
 * datatype at buffer. Registration is by reference: the buffer must stay valid and
 * hold the current state whenever PCM_Reconfigure may run; nothing is copied until
 * a migration. count 0 is allowed. */
PCM_API int PCM_Store(const char *key, void *buffer, MPI_Datatype type, int count);

/* Forget a key. */
PCM_API int PCM_Unstore(const char *key);

/* In a replacement: copy the state stored under key into buffer. The datatype and
 * count must be those of the PCM_Store in the process that left; a mismatch returns
 * PCM_ERR_TYPE or PCM_ERR_COUNT, copies nothing, and the state stays loadable.
 * Load before the first PCM_Status: large state is then received straight into buffer.
 * A key that was loaded is given back at the first PCM_Status (loading it again then
 * returns PCM_ERR_KEY); a key never loaded stays loadable until PCM_Finalize. */
PCM_API int PCM_Load(const char *key, void *buffer, MPI_Datatype type, int count);

/* The element count stored under key (restored processes), for sizing a buffer. */
PCM_API int PCM_Load_count(const char *key, int *count);

/* Collective over world. Every rank gets the same answer: PCM_CONTINUE, PCM_MIGRATE
 * (this rank moves) or PCM_RECONFIGURE (another rank moves). One small allreduce. */
PCM_API int PCM_Status(MPI_Comm world);

/* After PCM_MIGRATE or PCM_RECONFIGURE: which rank moves and where. host may be NULL. */
PCM_API int PCM_Migration_info(int *rank, char *host, int host_len);

/* Collective over *world after a PCM_Status decision. On success every remaining rank
 * gets the new world in *world (same size, same rank numbers) and the migrating rank's
 * process exits inside this call. If the spawn fails, every rank gets the same error,
 * *world is unchanged and the application continues in its old placement. */
PCM_API int PCM_Reconfigure(MPI_Comm *world);

/* Collective: leave PCM. Frees *world (sets MPI_COMM_NULL) and says goodbye to the
 * agent. Call before MPI_Finalize. If a rank of the job ever moved, the live ranks agree
 * here to end without Open MPI's final fence (which would wait for the processes that
 * left): libpcm's MPI_Finalize then returns MPI_SUCCESS without finalizing Open MPI, and
 * the program runs on to its exit as usual. Nothing changes for a job in which no rank
 * moved. An MPI_Finalize without PCM_Finalize calls it first. */
PCM_API int PCM_Finalize(MPI_Comm *world);

/* The mapping of MPI_COMM_WORLD. While it is on (the default), libpcm's MPI wrappers
 * replace every MPI_COMM_WORLD argument of an MPI call with a duplicate of the PCM world
 * (same ranks and size, MPI_COMM_WORLD's error handler and name), from PCM_Init to
 * PCM_Finalize: a program can keep calling MPI on MPI_COMM_WORLD across migrations, and
 * MPI_Comm_rank / MPI_Comm_size on MPI_COMM_WORLD answer for the PCM world. The
 * duplicate is made again after every PCM_Reconfigure (collectively, inside it).
 * Before PCM_Init and after PCM_Finalize MPI_COMM_WORLD is itself, so call PCM_Init
 * right after MPI_Init. Communicators the program derives from MPI_COMM_WORLD
 * (MPI_Comm_dup, MPI_Comm_split, MPI_Cart_create, ...) are the program's: after a
 * PCM_Reconfigure they still hold the departed process; free them and derive them
 * again (docs/instrumenting.md).
 * PCM_Set_world_map(0 or 1), before PCM_Init, overrides the environment variable
 * ROAM_PCM_WORLD_MAP (0 = off, 1 = on, unset = on; another value: PCM_Init fails with
 * PCM_ERR_ENV); PCM_ERR_INITIALIZED after PCM_Init.
 * PCM_Get_world_map: 1 if MPI_COMM_WORLD stands for the PCM world now, 0 if not. */
PCM_API int PCM_Set_world_map(int on);
PCM_API int PCM_Get_world_map(void);

/* ---- Resizing the job (malleability; docs/instrumenting.md, "Malleable programs") ----
 *
 * An order (from the agent, or ROAM_PCM_TEST_RESIZE) changes the number of processes of the
 * PCM world from old_size to new_size. PCM_Status answers PCM_RESIZE on every rank; then:
 *
 *     PCM_Resize_begin(&world);      // grow: world now has new_size ranks, the old ranks
 *                                    //   keep their numbers, the new ones are old_size..;
 *                                    // shrink: world is unchanged (old_size ranks)
 *     PCM_Resize_info(&old_size, &new_size);
 *     ... move the data to the new decomposition over world (PCM_Redistribute_rows) ...
 *     PCM_Resize_end(&world);        // shrink: ranks new_size.. leave inside this call (it
 *                                    //   does not return there); the others get the
 *                                    //   smaller world, same rank numbers
 *
 * A process started by a grow returns from PCM_Init with the larger world and
 * PCM_Process_Status() == PCM_STARTED_JOINED: it does what the others do after
 * PCM_Resize_begin (PCM_Resize_info, the redistribution, PCM_Resize_end); its first
 * PCM_Status is then the others' next one. A shrink removes the highest ranks: the
 * survivors keep their numbers (and so their relative order).
 * If the grow's spawn fails, PCM_Resize_begin returns PCM_ERR_SPAWN on every rank, world is
 * unchanged and the job goes on at its old size (no PCM_Resize_end). */
PCM_API int PCM_Resize_begin(MPI_Comm *world);
/* Declares that this program handles PCM_RESIZE as above: libpcm tells the agent (the
 * PROCESS_FLAGS frame after REGISTER, again at every reconnection), and the agents may then
 * resize the job (roam resize; by themselves when a drain lacks slots or a node with free
 * slots joins: docs/instrumenting.md). Call it after PCM_Init and before the first
 * PCM_Status, in every process of the job (fresh, restored or joined: the same code path).
 * Without it libpcm refuses the agent's resize orders (PCM_ERR_NO_RESIZE to the agent);
 * ROAM_PCM_TEST_RESIZE does not need it. PCM_ERR_NOT_INITIALIZED outside PCM_Init..
 * PCM_Finalize. */
PCM_API int PCM_Malleable(void);
PCM_API int PCM_Resize_info(int *old_size, int *new_size);
PCM_API int PCM_Resize_end(MPI_Comm *world);

/* The block decomposition libpcm redistributes to by default: rank r of size gets count rows
 * from first; the first total % size ranks have one row more. */
PCM_API int PCM_Block_rows(int total_rows, int size, int rank, int *first, int *count);

/* A 1-D decomposition of total rows among size ranks (the hook for other layouts): fills
 * *first and *count for rank. It must cover 0..total-1 in rank order, without gaps. */
typedef void (*PCM_Block_fn)(int total_rows, int size, int rank, int *first, int *count, void *arg);

/* Collective over comm (the world between PCM_Resize_begin and PCM_Resize_end, which holds
 * max(old_size, new_size) ranks): moves rows of row_len elements of type from the block
 * decomposition of total_rows over old_size ranks to the one over new_size ranks. old_rows:
 * this rank's old block (its first row), read by ranks < old_size; new_rows: room for this
 * rank's new block, written by ranks < new_size (either may be NULL elsewhere). Rows are
 * contiguous; the two buffers must not overlap. PCM_Redistribute_blocks takes the
 * decomposition as a function (NULL: PCM_Block_rows). */
PCM_API int PCM_Redistribute_rows(MPI_Comm comm, int old_size, int new_size, int total_rows, int row_len,
                                  MPI_Datatype type, const void *old_rows, void *new_rows);
PCM_API int PCM_Redistribute_blocks(MPI_Comm comm, int old_size, int new_size, int total_rows, int row_len,
                                    MPI_Datatype type, PCM_Block_fn fn, void *arg, const void *old_rows,
                                    void *new_rows);

/* Text for a PCM return code (never NULL). */
PCM_API const char *PCM_Error_string(int code);

/* Profiling counters of this process (from the PMPI layer). */
typedef struct {
    unsigned long long iterations;     /* PCM_Status calls of the application */
    unsigned long long compute_ns;     /* wall time outside MPI since PCM_Init */
    unsigned long long mpi_ns;         /* wall time inside MPI since PCM_Init */
    unsigned long long messages_sent;  /* point-to-point messages, all peers */
    unsigned long long bytes_sent;
} PCM_Profile;
PCM_API int PCM_Get_profile(PCM_Profile *out);

/* Messages and bytes this process sent to world rank peer. */
PCM_API int PCM_Get_peer_traffic(int peer, unsigned long long *messages, unsigned long long *bytes);

#ifdef __cplusplus
}
#endif
#endif /* ROAM_PCM_H */
