package io.roam.protocol;

/**
 * Marker of every message that travels between agents. The binding in this module's
 * {@code reference.conf} serializes all of them with {@link KryoSerializer}; every
 * concrete class must be registered in {@link RoamKryo} (unregistered classes are refused).
 */
public interface RoamMessage {
}
