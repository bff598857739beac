package io.roam.agents;

/**
 * Something the agent needs of this machine that it cannot have now: a port or PCM socket in
 * use, an address that is not the machine's. Thrown before anything starts; {@code roam agent}
 * prints the message, one line saying what to do, and exits with code 3.
 */
public final class Unavailable extends IllegalStateException {
    public Unavailable(String message) {
        super(message);
    }
}
