package io.roam.agents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationProgressTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void eachPhaseShowsTheTimeSinceTheStartAndSinceThePhaseBefore() throws Exception {
        MigrationProgress p = new MigrationProgress(0, 64L << 20);
        String a = p.phase(JSON.readTree("{\"phase\":\"ACCEPTED\",\"detail\":\"from h1 to h2\"}"), 2_000_000);
        String b = p.phase(JSON.readTree("{\"phase\":\"STARTED\",\"detail\":\"agreed\"}"), 12_500_000);
        assertThat(a).contains("2.0 ms", "(+     2.0 ms)", "ACCEPTED", "from h1 to h2");
        assertThat(b).contains("12.5 ms", "(+    10.5 ms)", "STARTED");
        String live = p.transferring(1_012_500_000L, 3);
        assertThat(live).contains("67.1 MB to move", "1.0 s since STARTED").doesNotContain("#");
        assertThat(new MigrationProgress(0, -1).transferring(0, 0)).contains("state size not known yet");
        assertThat(new MigrationProgress(0, 0).transferring(0, 0)).contains("state size not known yet");
    }

    @Test
    void doneShowsEachPhaseAndAFullTransferBarWithTheRate() throws Exception {
        long ms = 1_000_000;
        List<String> lines = MigrationProgress.done(JSON.readTree("{\"stateBytes\":100000000,\"tOrder\":0,"
                + "\"tDecided\":" + ms + ",\"tSpawned\":" + 31 * ms + ",\"tMerged\":" + 33 * ms + ",\"tTransferred\":"
                + 133 * ms + ",\"tResumed\":" + 134 * ms + "}"));
        assertThat(lines.get(0)).contains("state 100.0 MB", "transferred 133.0 ms", "resumed 134.0 ms after the order");
        assertThat(lines.get(1)).contains("decide 1.0 ms", "spawn 30.0 ms", "merge 2.0 ms", "transfer 100.0 ms",
                "resume 1.0 ms");
        assertThat(lines.get(2)).contains("[" + "#".repeat(30) + "]", "100.0 MB in 100.0 ms", "(1.00 GB/s)");
    }

    @Test
    void barsFillInProportion() {
        assertThat(MigrationProgress.bar(0)).isEqualTo(".".repeat(30));
        assertThat(MigrationProgress.bar(0.5)).isEqualTo("#".repeat(15) + ".".repeat(15));
        assertThat(MigrationProgress.bar(2)).isEqualTo("#".repeat(30));
    }

    @Test
    void theTransferBarFollowsTheBytesReceivedAndPrintsEachTenthOnce() {
        MigrationProgress p = new MigrationProgress(0, -1);
        assertThat(p.transfer(4_000_000, 16_000_000, 500_000_000L))
                .contains("[" + "#".repeat(8) + ".".repeat(22) + "]", "4.0 MB of 16.0 MB (25 %)", "0.5 s since STARTED");
        assertThat(p.transfer(0, 0, 0)).contains("(100 %)");
        assertThat(p.nextStep(0, 100)).isTrue();
        assertThat(p.nextStep(5, 100)).isFalse();
        assertThat(p.nextStep(25, 100)).isTrue();
        assertThat(p.nextStep(29, 100)).isFalse();
        assertThat(p.nextStep(100, 100)).isTrue();
        assertThat(p.nextStep(100, 100)).isFalse();
    }
}
