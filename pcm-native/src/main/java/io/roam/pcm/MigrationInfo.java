package io.roam.pcm;

/**
 * Which rank moves and where, after {@link Pcm#status()} answered {@link PcmStatus#MIGRATE} or
 * {@link PcmStatus#RECONFIGURE} ({@code PCM_Migration_info}).
 *
 * @param rank the rank of the world that moves
 * @param host the host it moves to
 */
public record MigrationInfo(int rank, String host) {
}
