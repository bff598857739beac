/* The environment of libpcm (pcm_env.c): defaults, every variable at the ends of its range,
 * and the error for a value out of range, naming the variable and what it allows. No MPI. */
#include "pcm_internal.h"
#include "pcm_test.h"
#include <unistd.h>

static const char *const VARS[] = {"ROAM_AGENT_SOCKET", "ROAM_HOST", "ROAM_PCM_RECONNECT_MS",
                                   "ROAM_PCM_CHECK_HOST", "ROAM_PCM_DEBUG", "ROAM_PCM_WORLD_MAP",
                                   "ROAM_PCM_STALL_MS", "ROAM_PCM_EAGER_MB", "ROAM_PCM_ADD_HOST",
                                   "ROAM_PCM_KEEPER", "ROAM_PCM_TEST_GATE", "ROAM_PCM_REPLACEMENT",
                                   "ROAM_JOB_HOSTS", "ROAM_PCM_SPAWN_TIMEOUT_MS", "ROAM_PCM_SPAWN_TRIES",
                                   "ROAM_PCM_YIELD"};

static void clear_all(void) {
    for (size_t i = 0; i < sizeof VARS / sizeof VARS[0]; i++) unsetenv(VARS[i]);
}

static char said[16384];   /* what the last load_quiet wrote on stderr */

/* pcm_env_load with stderr captured into said. */
static int load_quiet(void) {
    fflush(stderr);
    FILE *tmp = tmpfile();
    int saved = dup(2);
    dup2(fileno(tmp), 2);
    int rc = pcm_env_load();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    size_t n = fread(said, 1, sizeof said - 1, tmp);
    said[n] = 0;
    fclose(tmp);
    return rc;
}

static void test_defaults(void) {
    clear_all();
    setenv("ROAM_PCM_DEBUG", "", 1);   /* empty is unset */
    EXPECT_EQ(load_quiet(), PCM_SUCCESS);
    EXPECT_EQ(strlen(said), 0);
    EXPECT(pcm_env.agent_socket == NULL && pcm_env.host == NULL && pcm_env.keeper == NULL);
    EXPECT(pcm_env.job_hosts == NULL);
    EXPECT(pcm_env.test_gate == NULL);
    EXPECT_EQ(pcm_env.reconnect_ms, 1000);
    EXPECT_EQ(pcm_env.check_host, 1);
    EXPECT_EQ(pcm_env.debug, 0);
    EXPECT_EQ(pcm_env.world_map, 1);
    EXPECT_EQ(pcm_env.stall_ms, PCM_STALL_DEFAULT_MS);
    EXPECT_EQ(pcm_env.eager_mb, 64);
    EXPECT_EQ(pcm_env.add_host, 0);
    EXPECT_EQ(pcm_env.yield, 1);
    EXPECT_EQ(pcm_env.replacement, 0);
    EXPECT_EQ(pcm_env.spawn_timeout_ms, PCM_SPAWN_TIMEOUT_DEFAULT_MS);
    EXPECT_EQ(pcm_env.spawn_tries, PCM_SPAWN_TRIES_DEFAULT);
    EXPECT_EQ(pcm_spawn_timeout_ms_from_env(), PCM_SPAWN_TIMEOUT_DEFAULT_MS);
}

static void test_values(void) {
    clear_all();
    setenv("ROAM_AGENT_SOCKET", "/tmp/agent-%h.sock", 1);
    setenv("ROAM_HOST", "node7", 1);
    setenv("ROAM_PCM_RECONNECT_MS", "1", 1);
    setenv("ROAM_PCM_CHECK_HOST", "0", 1);
    setenv("ROAM_PCM_DEBUG", "1", 1);
    setenv("ROAM_PCM_WORLD_MAP", "0", 1);
    setenv("ROAM_PCM_STALL_MS", "0", 1);
    setenv("ROAM_PCM_EAGER_MB", "1048576", 1);
    setenv("ROAM_PCM_ADD_HOST", "1", 1);
    setenv("ROAM_PCM_YIELD", "0", 1);
    setenv("ROAM_PCM_KEEPER", "/opt/keeper", 1);
    setenv("ROAM_PCM_TEST_GATE", "/tmp/gates", 1);
    setenv("ROAM_PCM_REPLACEMENT", "18446744073709551615", 1);
    setenv("ROAM_JOB_HOSTS", "node1,node7", 1);
    EXPECT_EQ(load_quiet(), PCM_SUCCESS);
    EXPECT(pcm_env.job_hosts && strcmp(pcm_env.job_hosts, "node1,node7") == 0);
    EXPECT(pcm_env.agent_socket && strcmp(pcm_env.agent_socket, "/tmp/agent-%h.sock") == 0);
    EXPECT(pcm_env.host && strcmp(pcm_env.host, "node7") == 0);
    EXPECT_EQ(pcm_env.reconnect_ms, 1);
    EXPECT_EQ(pcm_env.check_host, 0);
    EXPECT_EQ(pcm_env.debug, 1);
    EXPECT_EQ(pcm_env.world_map, 0);
    EXPECT_EQ(pcm_env.stall_ms, 0);
    EXPECT_EQ(pcm_env.eager_mb, 1048576);
    EXPECT_EQ(pcm_env.add_host, 1);
    EXPECT_EQ(pcm_env.yield, 0);
    EXPECT(pcm_env.keeper && strcmp(pcm_env.keeper, "/opt/keeper") == 0);
    EXPECT(pcm_env.test_gate && strcmp(pcm_env.test_gate, "/tmp/gates") == 0);
    EXPECT_EQ(pcm_env.replacement, 1);
    EXPECT(pcm_env.replacement_order == UINT64_MAX);
    /* copies: the environment may change afterwards */
    setenv("ROAM_HOST", "other", 1);
    EXPECT(strcmp(pcm_env.host, "node7") == 0);
    char host[PCM_HOST_MAX];
    pcm_host_name(host, sizeof host);
    EXPECT(strcmp(host, "node7") == 0);
    /* the top of each range */
    setenv("ROAM_PCM_RECONNECT_MS", "3600000", 1);
    setenv("ROAM_PCM_STALL_MS", "86400000", 1);
    setenv("ROAM_PCM_EAGER_MB", "0", 1);
    setenv("ROAM_PCM_SPAWN_TIMEOUT_MS", "3600000", 1);
    setenv("ROAM_PCM_SPAWN_TRIES", "10", 1);
    EXPECT_EQ(load_quiet(), PCM_SUCCESS);
    EXPECT_EQ(pcm_env.spawn_timeout_ms, PCM_ENV_SPAWN_TIMEOUT_MS_MAX);
    EXPECT_EQ(pcm_env.spawn_tries, 10);
    EXPECT_EQ(pcm_spawn_timeout_ms_from_env(), PCM_ENV_SPAWN_TIMEOUT_MS_MAX);
    /* the bottom: 0 is Open MPI's own timeout, else at least 2000 (pcm_init.c) */
    setenv("ROAM_PCM_SPAWN_TIMEOUT_MS", "0", 1);
    setenv("ROAM_PCM_SPAWN_TRIES", "1", 1);
    EXPECT_EQ(load_quiet(), PCM_SUCCESS);
    EXPECT_EQ(pcm_env.spawn_timeout_ms, 0);
    EXPECT_EQ(pcm_spawn_timeout_ms_from_env(), 0);
    setenv("ROAM_PCM_SPAWN_TIMEOUT_MS", "2000", 1);
    EXPECT_EQ(load_quiet(), PCM_SUCCESS);
    EXPECT_EQ(pcm_env.spawn_timeout_ms, 2000);
    /* before PCM_Init (MPI_Init, pcm_init.c) a bad value counts as unset; PCM_Init refuses it */
    setenv("ROAM_PCM_SPAWN_TIMEOUT_MS", "1999", 1);
    EXPECT_EQ(pcm_spawn_timeout_ms_from_env(), PCM_SPAWN_TIMEOUT_DEFAULT_MS);
    EXPECT_EQ(pcm_env.reconnect_ms, PCM_ENV_RECONNECT_MS_MAX);
    EXPECT_EQ(pcm_env.stall_ms, PCM_ENV_STALL_MS_MAX);
    EXPECT_EQ(pcm_env.eager_mb, 0);
    /* tries that outlast the stall bound: allowed, with one warning line */
    setenv("ROAM_PCM_STALL_MS", "30000", 1);
    setenv("ROAM_PCM_SPAWN_TIMEOUT_MS", "15000", 1);
    setenv("ROAM_PCM_SPAWN_TRIES", "2", 1);
    EXPECT_EQ(load_quiet(), PCM_SUCCESS);
    EXPECT(strstr(said, "ROAM_PCM_SPAWN_TIMEOUT_MS=15000 x ROAM_PCM_SPAWN_TRIES=2 is not below ROAM_PCM_STALL_MS=30000")
           != NULL);
    setenv("ROAM_PCM_SPAWN_TIMEOUT_MS", "14999", 1);
    EXPECT_EQ(load_quiet(), PCM_SUCCESS);
    EXPECT_EQ(strlen(said), 0);
    unsetenv("ROAM_PCM_STALL_MS");
    clear_all();   /* unset again: back to the defaults */
    EXPECT_EQ(load_quiet(), PCM_SUCCESS);
    EXPECT(pcm_env.host == NULL && pcm_env.test_gate == NULL);
    EXPECT_EQ(pcm_env.debug, 0);
}

/* name=value fails PCM_Init's load, and the line says so with the range. */
static void expect_refused(const char *name, const char *value, const char *allowed) {
    clear_all();
    setenv(name, value, 1);
    EXPECT_EQ(load_quiet(), PCM_ERR_ENV);
    char head[512];
    snprintf(head, sizeof head, "%s='%s' is not allowed: ", name, value);
    if (!strstr(said, head) || !strstr(said, allowed)) {
        fprintf(stderr, "for %s=%s the message was: %s", name, value, said);
        EXPECT(0);
    }
    EXPECT(strchr(said, '\n') == said + strlen(said) - 1);   /* one line */
}

static void test_out_of_range(void) {
    expect_refused("ROAM_PCM_RECONNECT_MS", "0", "an integer from 1 to 3600000 ms (unset: 1000)");
    expect_refused("ROAM_PCM_RECONNECT_MS", "-5", "from 1 to 3600000");
    expect_refused("ROAM_PCM_RECONNECT_MS", "3600001", "from 1 to 3600000");
    expect_refused("ROAM_PCM_RECONNECT_MS", "250ms", "from 1 to 3600000");
    expect_refused("ROAM_PCM_RECONNECT_MS", "99999999999999999999", "from 1 to 3600000");
    expect_refused("ROAM_PCM_STALL_MS", "abc", "an integer from 0 to 86400000 ms, 0 = no watchdog (unset: 60000)");
    expect_refused("ROAM_PCM_STALL_MS", "86400001", "from 0 to 86400000");
    expect_refused("ROAM_PCM_EAGER_MB", "-1", "an integer from 0 to 1048576 MiB (unset: 64)");
    expect_refused("ROAM_PCM_SPAWN_TIMEOUT_MS", "1999",
                   "0 (Open MPI's own 600 s) or an integer from 2000 to 3600000 ms (unset: 20000)");
    expect_refused("ROAM_PCM_SPAWN_TIMEOUT_MS", "-1", "from 0 to 3600000");
    expect_refused("ROAM_PCM_SPAWN_TRIES", "0", "an integer from 1 to 10 tries of one move's spawn (unset: 1)");
    expect_refused("ROAM_PCM_WORLD_MAP", "yes", "0 or 1 (0: MPI_COMM_WORLD is not mapped to the PCM world; unset: 1)");
    expect_refused("ROAM_PCM_WORLD_MAP", "2", "0 or 1");
    expect_refused("ROAM_PCM_CHECK_HOST", "false", "0 or 1");
    expect_refused("ROAM_PCM_DEBUG", "2", "0 or 1 (1: log the agent conversation; unset: 0)");
    expect_refused("ROAM_PCM_ADD_HOST", "01", "0 or 1");
    expect_refused("ROAM_PCM_YIELD", "on", "0 or 1 (0: waiting ranks poll without yielding during a reconfiguration;"
                   " unset: 1)");
    expect_refused("ROAM_PCM_REPLACEMENT", "-3", "an order id");
    expect_refused("ROAM_PCM_REPLACEMENT", "12x", "an order id");
    char longer[PCM_PATH_MAX + 8];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = 0;
    longer[0] = '/';
    char *at = longer + 108;   /* a socket path of 108 bytes leaves no room in sun_path for the NUL */
    char saved = *at;
    *at = 0;
    expect_refused("ROAM_AGENT_SOCKET", longer, "a socket path or none of at most 107 bytes");
    *at = saved;
    at = longer + PCM_HOST_MAX;
    saved = *at;
    *at = 0;
    expect_refused("ROAM_HOST", longer, "a host name of at most 255 bytes");
    *at = saved;
    expect_refused("ROAM_PCM_KEEPER", longer, "a path of at most 4095 bytes");
    expect_refused("ROAM_PCM_TEST_GATE", longer, "a directory of at most 4032 bytes");
    char hosts[PCM_JOB_HOSTS_MAX + 1];
    memset(hosts, 'h', sizeof hosts - 1);
    hosts[sizeof hosts - 1] = 0;
    expect_refused("ROAM_JOB_HOSTS", hosts, "host names, comma-separated, of at most 4096 bytes");
    clear_all();
}

/* Without ROAM_AGENT_SOCKET, the agent's own default: the same directory rule as RoamPaths.java. */
static void test_default_socket(void) {
    char path[256];
    pcm_env_default_socket(path, sizeof path);
    if (geteuid() == 0) {
        EXPECT(strcmp(path, "/run/roam/agent-%h.sock") == 0);
    } else {
        EXPECT(strstr(path, "/roam/agent-%h.sock") != NULL);
    }
}

/* A target host is allowed when it is one of the job's hosts, or when they are not known. */
static void test_job_hosts(void) {
    snprintf(pcm_g.job_hosts, sizeof pcm_g.job_hosts, "%s", "");
    EXPECT_EQ(pcm_job_host("anywhere"), 1);
    snprintf(pcm_g.job_hosts, sizeof pcm_g.job_hosts, "%s", "10.0.0.1,node2,n");
    EXPECT_EQ(pcm_job_host("10.0.0.1"), 1);
    EXPECT_EQ(pcm_job_host("node2"), 1);
    EXPECT_EQ(pcm_job_host("n"), 1);
    EXPECT_EQ(pcm_job_host("node"), 0);
    EXPECT_EQ(pcm_job_host("node22"), 0);
    EXPECT_EQ(pcm_job_host("10.0.0.11"), 0);
    EXPECT_EQ(pcm_job_host(""), 0);
    pcm_g.job_hosts[0] = 0;
}

/* pcm_target.c: an order is refused once the program file is no longer the running one. */
static void test_program_replaced(void) {
    pcm_env.check_host = 0;
    pcm_env.add_host = 1;
    char why[1024];
    pcm_g.exe[0] = 0;   /* not recorded (no PCM_Init): nothing to tell */
    EXPECT_EQ(pcm_program_replaced("moves", why, sizeof why), 0);
    ssize_t n = readlink("/proc/self/exe", pcm_g.exe, sizeof pcm_g.exe - 1);
    EXPECT(n > 0);
    pcm_g.exe[n > 0 ? n : 0] = 0;
    EXPECT_EQ(pcm_target_refused("h1", "moves", why, sizeof why), PCM_SUCCESS);   /* the same file */
    snprintf(pcm_g.exe, sizeof pcm_g.exe, "%s", "/bin/sh");   /* another file at the path */
    EXPECT_EQ(pcm_target_refused("h1", "moves", why, sizeof why), PCM_ERR_SPAWN);
    EXPECT(strstr(why, "the program file '/bin/sh' was replaced since this process started") != NULL);
    EXPECT(strstr(why, "so moves are refused") != NULL);
    snprintf(pcm_g.exe, sizeof pcm_g.exe, "%s", "/nonexistent/roam-test-program");   /* removed */
    EXPECT_EQ(pcm_program_replaced("grows", why, sizeof why), 1);
    EXPECT(strstr(why, "is gone (removed since this process started), so grows are refused") != NULL);
    pcm_g.exe[0] = 0;
    pcm_env.add_host = 0;
}

/* pcm_target.c: the hosts where a spawn stalled, refused, and carried with the job's hosts. */
static void test_stalled_hosts(void) {
    pcm_env.check_host = 0;
    pcm_env.add_host = 0;
    snprintf(pcm_g.job_hosts, sizeof pcm_g.job_hosts, "%s", "h1,h2,h3");
    pcm_g.stalled_hosts[0] = 0;
    char why[1024];
    EXPECT_EQ(pcm_target_refused("h1", "moves", why, sizeof why), PCM_SUCCESS);
    EXPECT_EQ(pcm_hosts_packed_len(), strlen("h1,h2,h3"));   /* nothing stalled: the hosts alone */
    pcm_stalled_add("h1");
    pcm_stalled_add("h3");
    pcm_stalled_add("h1");   /* once */
    EXPECT(strcmp(pcm_g.stalled_hosts, "h1,h3") == 0);
    EXPECT_EQ(pcm_stalled_host("h1"), 1);
    EXPECT_EQ(pcm_stalled_host("h2"), 0);
    EXPECT_EQ(pcm_stalled_host("h"), 0);
    EXPECT_EQ(pcm_target_refused("h3", "moves", why, sizeof why), PCM_ERR_SPAWN);
    EXPECT(strstr(why, "target host 'h3': a spawn of this job there stalled earlier") != NULL);
    EXPECT(strstr(why, "moves there are refused for the rest of the job") != NULL);
    EXPECT_EQ(pcm_target_refused("h2", "grows", why, sizeof why), PCM_SUCCESS);
    EXPECT_EQ(pcm_target_refused("h4", "grows", why, sizeof why), PCM_ERR_HOST);
    EXPECT(strstr(why, "is not one of the hosts the job was started on (h1,h2,h3)") != NULL);
    /* carried as metadata carries it: the hosts, a zero byte, the stalled hosts */
    unsigned char buf[PCM_JOB_HOSTS_MAX];
    size_t len = pcm_hosts_packed_len();
    EXPECT_EQ(len, strlen("h1,h2,h3") + 1 + strlen("h1,h3"));
    pcm_hosts_pack(buf);
    pcm_g.job_hosts[0] = pcm_g.stalled_hosts[0] = 0;
    pcm_hosts_unpack(buf, len);
    EXPECT(strcmp(pcm_g.job_hosts, "h1,h2,h3") == 0);
    EXPECT(strcmp(pcm_g.stalled_hosts, "h1,h3") == 0);
    /* from a sender that carried no stalled hosts: none */
    pcm_hosts_unpack((const unsigned char *)"h1,h2", 5);
    EXPECT(strcmp(pcm_g.job_hosts, "h1,h2") == 0);
    EXPECT_EQ(pcm_g.stalled_hosts[0], 0);
    /* a list that would not fit beside the hosts is left out, the hosts stay whole */
    memset(pcm_g.job_hosts, 'a', PCM_JOB_HOSTS_MAX - 3);
    pcm_g.job_hosts[PCM_JOB_HOSTS_MAX - 3] = 0;
    pcm_g.stalled_hosts[0] = 0;
    pcm_stalled_add("bb");
    EXPECT_EQ(pcm_hosts_packed_len(), PCM_JOB_HOSTS_MAX - 3);
    pcm_g.job_hosts[0] = pcm_g.stalled_hosts[0] = 0;
    pcm_env.check_host = 1;
}

int main(void) {
    test_defaults();
    test_values();
    test_out_of_range();
    test_default_socket();
    test_job_hosts();
    test_program_replaced();
    test_stalled_hosts();
    return TEST_SUMMARY("test_pcm_env");
}
