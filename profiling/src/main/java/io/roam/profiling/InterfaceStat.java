package io.roam.profiling;

import java.util.Objects;

/**
 * One network interface of the node (from /proc/net/dev and /sys/class/net): bytes received
 * and sent since boot, their rates over the last sampling interval in bytes per second (-1
 * until two samples exist, or after a counter reset), and the link speed in Mbit/s as the
 * kernel reports it (-1 = unknown: virtual interfaces and VMs often report none).
 */
public record InterfaceStat(String name, long rxBytes, long txBytes, double rxBytesPerSec, double txBytesPerSec,
                            long speedMbitPerSec) {
    public InterfaceStat {
        Objects.requireNonNull(name, "name");
        if (speedMbitPerSec == 0 || speedMbitPerSec < -1) {
            throw new IllegalArgumentException("speedMbitPerSec must be > 0 or -1 (unknown), was " + speedMbitPerSec);
        }
    }
}
