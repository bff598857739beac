package io.roam.agents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

/**
 * Bad configuration and bad command-line arguments stop {@code roam} at once with exit code 2
 * and a message naming the key or option, the value and what is allowed; nothing is started.
 */
@ResourceLock(Resources.SYSTEM_ERR)
class BadInputTest {
    @TempDir
    Path dir;

    private record Run(int exit, String err) {
    }

    private static Run roam(String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int exit = RoamCli.execute(args);
            return new Run(exit, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(err);
        }
    }

    private Run agent(String... args) {
        String[] all = new String[args.length + 5];
        all[0] = "agent";
        all[1] = "--socket";
        all[2] = dir.resolve("a.sock").toString();
        all[3] = "--http-port";
        all[4] = "0";
        System.arraycopy(args, 0, all, 5, args.length);
        return roam(all);
    }

    @Test
    void aBadConfigurationValueNamesTheKeyTheValueAndWhatIsAllowed() throws Exception {
        assertThat(agent("--set", "roam.agent.max-neighbours=0")).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).contains("roam.agent.max-neighbours", "= 0", "allowed 1 to 1000");
        });
        assertThat(agent("--set", "roam.agent.migration.timeout=2h").err())
                .contains("roam.agent.migration.timeout", "2h", "1 s to 1 h");
        assertThat(agent("--set", "roam.agent.migration.timeout=2m")).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).contains("roam.stealing.migration-timeout = 90 s",
                    "longer than roam.agent.migration.timeout = 2 min");
        });
        assertThat(agent("--topology", "ring").err()).contains("roam.agent.topology", "ring", "p2p", "c2c");
        assertThat(agent("--cluster", "bad name!").err()).contains("roam.agent.cluster", "bad name!", "[A-Za-z0-9._-]");
        assertThat(agent("--strategy", "magic").err()).contains("magic", "ios", "cost-aware");
        assertThat(agent("--stealing", "psychic").err()).contains("psychic", "rs", "ats", "nts");
        assertThat(agent("--set", "roam.profiling.period=-1s").err()).contains("roam.profiling.period");
        assertThat(agent("--set", "roam.agent.slots=lots").err()).contains("roam.agent.slots", "lots");
        assertThat(roam("agent", "--http-port", "0", "--socket", "relative.sock").err())
                .contains("roam.agent.pcm.socket", "relative.sock", "absolute path");
        Path conf = dir.resolve("bad.conf");
        Files.writeString(conf, "roam.agent { heartbeat = }\n");
        assertThat(agent("--config", conf.toString())).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).contains("bad.conf");
        });
        assertThat(Files.exists(dir.resolve("a.sock"))).as("no PCM socket was created").isFalse();
    }

    @Test
    void badArgumentsNameTheOptionAndWhatIsAllowed() {
        assertThat(agent("--seed", "nocolon")).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).contains("--seed must be HOST:PORT, was nocolon");
        });
        assertThat(agent("--set", "novalue").err()).contains("--set must be KEY=VALUE, was novalue");
        assertThat(agent("--port", "eighty").err()).contains("--port", "eighty");
        assertThat(agent("--config", dir.resolve("missing.conf").toString()).err()).contains("no such file");
        assertThat(roam("agent", "--no-such-option")).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).contains("Unknown option", "--no-such-option", "roam agent --help")
                    .doesNotContain("Usage:");
        });
        assertThat(roam("migrate")).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).contains("Missing required");
        });
        assertThat(roam("no-such-command").exit()).isEqualTo(2);
        assertThat(roam("keys", "--out", dir.resolve("k").toString(), "--cluster", "a b").err())
                .contains("cluster name", "[A-Za-z0-9._-]");
    }
}
