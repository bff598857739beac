package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code make install PREFIX=<dir>}, as an operator runs it after {@code make}: the installed
 * {@code roam} runs from the installed jars (not from the build tree), and the installed unit
 * roam-agent.service runs that {@code roam agent}, passes {@code systemd-analyze verify}
 * (which needs no running systemd) and stops the agent with SIGTERM within a timeout longer
 * than the drain deadline, so that the node is drained before systemd kills anything.
 */
@Tag("system")
class InstallTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path prefix;

    @Test
    void makeInstallGivesARunnableRoamAndAUnitThatSystemdAccepts() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        if (!Files.isExecutable(analyze)) {
            String why = "systemd-analyze is not installed (apt-get install systemd; make deps does it)";
            if (System.getenv("CI") != null) {
                throw new AssertionError("CI is set and " + why);
            }
            Assumptions.abort(why);
        }
        Result install = run(ROOT, "make", "--no-print-directory", "install", "PREFIX=" + prefix);
        assertThat(install.exit()).as(install.out()).isZero();

        Path roam = prefix.resolve("bin/roam");
        assertThat(prefix.resolve("lib/roam/roam-agents.jar")).isRegularFile();
        Result version = run(prefix, roam.toString(), "--version");
        assertThat(version.exit()).as(version.out()).isZero();
        // the installed command runs the installed jar even with the build tree gone from its path
        Result classpath = run(prefix, "bash", "-x", roam.toString(), "--version");
        assertThat(classpath.out()).contains("-cp '" + prefix.resolve("lib/roam/roam-agents.jar") + ":")
                .doesNotContain("agents/target");

        Path unit = prefix.resolve("lib/systemd/system/roam-agent.service");
        String text = Files.readString(unit);
        assertThat(text).contains("ExecStart=" + roam + " agent $ROAM_AGENT_ARGS", "KillSignal=SIGTERM",
                "Restart=on-failure", "RuntimeDirectory=roam", "ConfigurationDirectory=roam",
                "SuccessExitStatus=143").doesNotContain("@PREFIX@");
        Duration drain = ConfigFactory.load().getDuration("roam.agent.drain.deadline");
        long stopSeconds = text.lines().filter(l -> l.startsWith("TimeoutStopSec="))
                .mapToLong(l -> Long.parseLong(l.substring("TimeoutStopSec=".length()))).findFirst().orElseThrow();
        assertThat(Duration.ofSeconds(stopSeconds)).as("TimeoutStopSec vs roam.agent.drain.deadline")
                .isGreaterThan(drain.plusSeconds(30));

        // systemd-analyze prints every problem it finds (bad values are only warnings): none at all
        Result verify = run(prefix, analyze.toString(), "verify", unit.toString());
        assertThat(verify.exit()).as(verify.out()).isZero();
        assertThat(verify.out()).as("systemd-analyze verify says").isBlank();
    }

    private record Result(int exit, String out) {
    }

    private static Result run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        return new Result(p.exitValue(), new String(out));
    }
}
