package io.roam.agents.cli;

import io.roam.agents.ClusterKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roam keys}: a test cluster's TLS key, trust store and configuration. */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Write a test cluster's TLS files (key store, trust store, password, tls.conf) into a"
                + " directory. Agents started with --config DIR/tls.conf talk TLS with mutual authentication"
                + " and refuse agents without these keys.")
final class KeysCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "Directory to write (created owner-only).")
    Path out;

    @Option(names = "--cluster", defaultValue = "roam", description = "Name in the certificate (default ${DEFAULT-VALUE}).")
    String cluster;

    @Option(names = "--validity", defaultValue = "365", description = "Days the certificate is valid, 1 to 36500"
            + " (default ${DEFAULT-VALUE}).")
    int validity;

    @Override
    public Integer call() {
        try {
            Path conf = ClusterKeys.generate(out, cluster, validity);
            System.out.println("roam keys: wrote " + out.resolve(ClusterKeys.KEY_STORE) + ", "
                    + out.resolve(ClusterKeys.TRUST_STORE) + ", " + out.resolve(ClusterKeys.PASSWORD) + " and " + conf);
            System.out.println("start each agent of the cluster with: roam agent --config " + conf.toAbsolutePath());
            return 0;
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("roam keys: " + e.getMessage());
            return 2;
        }
    }
}
