package io.roam.agents.cli;

/**
 * The exit codes of every roam command, one table: README, "Exit codes", and {@code roam --help}
 * (RoamCli's exitCodeList: keep the three the same). Every error is one line on stderr, {@code roam COMMAND: what is wrong; what to do}.
 */
final class ExitCodes {
    /** Done. */
    static final int OK = 0;
    /**
     * The command ran and did not succeed: a migration failed, a drain left ranks where they
     * were, the agent could not be reached or refused the token, an agent stopped on its own,
     * or an unexpected error (a bug: the line names its kind).
     */
    static final int FAILED = 1;
    /**
     * Refused before anything was done: a bad option, argument, URL or address, an unknown
     * configuration key, a value out of its range, or a request the agent refused (an unknown
     * node, a drain without room).
     */
    static final int USAGE = 2;
    /**
     * roam agent: the machine cannot give what the agent needs: a port or PCM socket in use, an
     * address that is not this machine's. Nothing was started.
     */
    static final int UNAVAILABLE = 3;

    private ExitCodes() {
    }
}
