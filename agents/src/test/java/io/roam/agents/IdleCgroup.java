package io.roam.agents;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An empty CPU cgroup with a quota of one core, as the CPU source of agents that run in this
 * JVM ({@code roam.profiling.cpu-source = "cgroup:/..."}): no process runs in it, so such an
 * agent sees its whole core available however busy the machine is. For tests whose agents
 * must be idle thieves (with the machine as the source, both cores kept busy by other work
 * leave nothing available, and no agent steals). Needs root and a CPU cgroup controller;
 * skipped only outside CI without them. Removed on close.
 */
final class IdleCgroup implements AutoCloseable {
    private static final Path SYS = Path.of("/sys/fs/cgroup");
    private final List<Path> dirs = new ArrayList<>();
    private final String name;

    IdleCgroup(String prefix) throws IOException {
        boolean v1 = Files.isDirectory(SYS.resolve("cpu")) && Files.isDirectory(SYS.resolve("cpuacct"));
        boolean v2 = Files.exists(SYS.resolve("cgroup.controllers"));
        boolean root = "root".equals(System.getProperty("user.name"));
        if (System.getenv("CI") == null) {
            assumeTrue(root && (v1 || v2), "an idle CPU cgroup needs root and a CPU cgroup controller (outside CI only)");
        }
        name = "roam-" + prefix + "-" + ProcessHandle.current().pid();
        if (v1) {
            dirs.add(SYS.resolve("cpu").resolve(name));
            dirs.add(SYS.resolve("cpuacct").resolve(name));
        } else {
            if (!Files.readString(SYS.resolve("cgroup.subtree_control")).contains("cpu")) {
                Files.writeString(SYS.resolve("cgroup.subtree_control"), "+cpu");
            }
            dirs.add(SYS.resolve(name));
        }
        for (Path d : dirs) {
            Files.createDirectories(d);
        }
        Path cpu = dirs.get(0);
        if (v1) {
            Files.writeString(cpu.resolve("cpu.cfs_period_us"), "100000");
            Files.writeString(cpu.resolve("cpu.cfs_quota_us"), "100000");
        } else {
            Files.writeString(cpu.resolve("cpu.max"), "100000 100000");
        }
    }

    /** The configuration that makes an agent profile this cgroup. */
    Config cpuSource() {
        return ConfigFactory.parseString("roam.profiling.cpu-source = \"cgroup:/" + name + "\"");
    }

    @Override
    public void close() throws IOException {
        for (Path d : dirs) {
            Files.deleteIfExists(d);   // empty: nothing ever ran in it
        }
    }
}
