/* Unit tests of the state registry and the datatype codes (no MPI_Init needed). */
#include "pcm_internal.h"
#include "pcm_test.h"


static void test_type_codes(void) {
    EXPECT_EQ(pcm_type_code(MPI_DOUBLE), 14);
    EXPECT_EQ(pcm_type_code_size(14), sizeof(double));
    EXPECT_EQ(pcm_type_code(MPI_INT), 7);
    EXPECT_EQ(pcm_type_code(MPI_BYTE), 1);
    EXPECT_EQ(pcm_type_code(MPI_LONG_LONG_INT), pcm_type_code(MPI_LONG_LONG));
    EXPECT_EQ(pcm_type_code(MPI_DATATYPE_NULL), 0);
    EXPECT_EQ(pcm_type_code(MPI_2INT), 0);             /* a pair type is not supported */
    EXPECT_EQ(pcm_type_code_size(0), 0);
    EXPECT_EQ(pcm_type_code_size(999), 0);
    EXPECT(strcmp(pcm_type_code_name(14), "MPI_DOUBLE") == 0);
    /* every code round-trips to a distinct non-zero size */
    for (int c = 1; c <= 24; c++) EXPECT(pcm_type_code_size(c) > 0);
}

static void test_keys(void) {
    char long_key[PCM_MAX_KEY + 2];
    memset(long_key, 'k', sizeof long_key);
    long_key[PCM_MAX_KEY + 1] = 0;
    EXPECT_EQ(pcm_key_check(NULL), PCM_ERR_ARG);
    EXPECT_EQ(pcm_key_check(""), PCM_ERR_KEY_LENGTH);
    EXPECT_EQ(pcm_key_check(long_key), PCM_ERR_KEY_LENGTH);
    long_key[PCM_MAX_KEY] = 0;
    EXPECT_EQ(pcm_key_check(long_key), PCM_SUCCESS);
}

static void test_put_find_update_remove(void) {
    pcm_registry r = {0};
    double a[10], b[20];
    int i = 3;
    EXPECT_EQ(pcm_registry_put(&r, "grid", a, 14, 10), PCM_SUCCESS);
    EXPECT_EQ(pcm_registry_put(&r, "iter", &i, 7, 1), PCM_SUCCESS);
    EXPECT_EQ(r.n, 2);
    EXPECT_EQ(pcm_registry_bytes(&r), 10 * sizeof(double) + sizeof(int));
    pcm_entry *e = pcm_registry_find(&r, "grid");
    EXPECT(e && e->data == a && e->count == 10);
    /* update keeps order and count of entries */
    EXPECT_EQ(pcm_registry_put(&r, "grid", b, 14, 20), PCM_SUCCESS);
    EXPECT_EQ(r.n, 2);
    e = pcm_registry_find(&r, "grid");
    EXPECT(e && e->data == b && e->count == 20);
    EXPECT(r.head == e);
    /* errors */
    EXPECT_EQ(pcm_registry_put(&r, "x", NULL, 14, 5), PCM_ERR_ARG);
    EXPECT_EQ(pcm_registry_put(&r, "x", a, 14, -1), PCM_ERR_ARG);
    EXPECT_EQ(pcm_registry_put(&r, "x", a, 0, 1), PCM_ERR_DATATYPE);
    EXPECT_EQ(pcm_registry_put(&r, "", a, 14, 1), PCM_ERR_KEY_LENGTH);
    EXPECT_EQ(pcm_registry_put(&r, "empty", NULL, 14, 0), PCM_SUCCESS);   /* count 0 is fine */
    EXPECT_EQ(r.n, 3);
    EXPECT(pcm_registry_find(&r, "nope") == NULL);
    EXPECT_EQ(pcm_registry_remove(&r, "nope"), PCM_ERR_KEY);
    EXPECT_EQ(pcm_registry_remove(&r, "iter"), PCM_SUCCESS);
    EXPECT_EQ(r.n, 2);
    EXPECT(pcm_registry_find(&r, "iter") == NULL);
    EXPECT_EQ(pcm_registry_remove(&r, "empty"), PCM_SUCCESS);    /* the tail */
    EXPECT(r.tail == r.head);
    EXPECT_EQ(pcm_registry_put(&r, "again", &i, 7, 1), PCM_SUCCESS);
    EXPECT(r.tail && strcmp(r.tail->key, "again") == 0);
    pcm_registry_clear(&r);
    EXPECT_EQ(r.n, 0);
    EXPECT(r.head == NULL && r.tail == NULL);
}

static void test_owned_buffers_are_replaced(void) {
    pcm_registry r = {0};
    EXPECT_EQ(pcm_registry_put(&r, "k", NULL, 1, 0), PCM_SUCCESS);
    pcm_entry *e = pcm_registry_find(&r, "k");
    e->data = pcm_buf_alloc(64);
    e->owned = 1;
    char mine[4];
    EXPECT_EQ(pcm_registry_put(&r, "k", mine, 1, 4), PCM_SUCCESS);  /* frees the owned one */
    EXPECT(e->data == mine && e->owned == 0);
    pcm_registry_clear(&r);
}

static void test_error_strings(void) {
    int codes[] = {PCM_SUCCESS, PCM_ERR_NOT_INITIALIZED, PCM_ERR_KEY, PCM_ERR_TYPE, PCM_ERR_COUNT,
                   PCM_ERR_SPAWN, PCM_ERR_HOST, PCM_ERR_PROTOCOL, PCM_ERR_SUPERSEDED, PCM_ERR_ENV, PCM_ERR_INTERNAL};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *s = PCM_Error_string(codes[i]);
        EXPECT(s != NULL && strncmp(s, "PCM_", 4) == 0);
    }
    EXPECT(strstr(PCM_Error_string(PCM_ERR_COUNT), "count") != NULL);
    EXPECT(strcmp(PCM_Error_string(-12345), "PCM: unknown error code") == 0);
}

int main(void) {
    test_type_codes();
    test_keys();
    test_put_find_update_remove();
    test_owned_buffers_are_replaced();
    test_error_strings();
    return TEST_SUMMARY("test_pcm_state");
}
