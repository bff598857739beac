/*
 * pcm_keeper_wait.h - a keeper's wait (pcm_keep.c), shared by libpcm (the keeper that
 * waits in its own process) and roam-pcm-keeper (pcm_keeper_main.c, the small image a
 * keeper execs). Not installed.
 */
#ifndef ROAM_PCM_KEEPER_WAIT_H
#define ROAM_PCM_KEEPER_WAIT_H

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Accept on the listening fd until a peer sends job (NUL terminated, within 2 s of its
 * connect); returns then, or when accept fails for good. */
static inline void pcm_keeper_wait(int fd, const char *job) {
    for (;;) {
        int c = accept(fd, NULL, NULL);
        if (c < 0) {
            if (errno == EINTR) continue;
            return;
        }
        char buf[128] = {0};
        struct pollfd p = {.fd = c, .events = POLLIN};
        size_t got = 0;
        while (got < sizeof buf - 1 && poll(&p, 1, 2000) == 1) {
            ssize_t m = read(c, buf + got, sizeof buf - 1 - got);
            if (m <= 0) break;
            got += (size_t)m;
        }
        close(c);
        if (strcmp(buf, job) == 0) return;
    }
}

#endif
