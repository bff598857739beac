package io.roam.heat.auto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's plot stays readable: a move's pause does not flatten it, and labels do not overlap. */
class TimelineTest {
    @TempDir
    Path dir;

    /** 5.7 ms, slowed to 24 ms at 20 s, two moves at 30 and 31 s with pauses of 900 ms, then 5.8 ms. */
    private static Timeline demo() {
        Timeline t = new Timeline();
        for (int s = 0; s < 60; s++) {
            double ms = s < 20 ? 5.7 : s < 30 ? 24 : s == 30 || s == 31 ? 900 : 5.8;
            t.sample(s, ms, s * 100L);
        }
        t.slowdownAt = 20.0;
        t.migrations.add(new Timeline.Mark(30, "rank 0 -> 10.0.0.2"));
        t.migrations.add(new Timeline.Mark(31, "rank 1 -> 10.0.0.3"));
        return t;
    }

    @Test
    void thePauseOfAMoveIsClippedAndMarkedNotScaledTo() throws Exception {
        Timeline t = demo();
        assertThat(t.yTop()).isEqualTo(1.15 * 24, org.assertj.core.data.Offset.offset(1e-9));
        Path svg = dir.resolve("plot.svg");
        t.writeSvg(svg, "title");
        String text = Files.readString(svg);
        assertThat(text).contains("&#9650; 900 ms");
        // every point lies within the plot (y from 40 to 370)
        Matcher m = Pattern.compile("points='([^']*)'").matcher(text);
        assertThat(m.find()).isTrue();
        for (String p : m.group(1).trim().split(" ")) {
            assertThat(Double.parseDouble(p.split(",")[1])).isBetween(40.0, 370.0);
        }
        // the slowed phase fills most of the height: 24 ms is above 80 % of it
        assertThat(24 / t.yTop()).isGreaterThan(0.8);
    }

    @Test
    void labelsOfMarksCloseInTimeGoOnRowsOfTheirOwn() throws Exception {
        Path svg = dir.resolve("plot.svg");
        demo().writeSvg(svg, "title");
        Matcher m = Pattern.compile("<text x='([0-9.]+)' y='([0-9]+)' fill='#(?:2ca02c|d62728)'>([^<]*)</text>")
                .matcher(Files.readString(svg));
        List<double[]> boxes = new ArrayList<>();
        while (m.find()) {
            double x = Double.parseDouble(m.group(1));
            boxes.add(new double[] {x, Double.parseDouble(m.group(2)), x + 7 * m.group(3).length()});
        }
        assertThat(boxes).hasSize(3);
        for (int i = 0; i < boxes.size(); i++) {
            for (int j = i + 1; j < boxes.size(); j++) {
                boolean sameRow = boxes.get(i)[1] == boxes.get(j)[1];
                boolean overlap = boxes.get(i)[0] < boxes.get(j)[2] && boxes.get(j)[0] < boxes.get(i)[2];
                assertThat(sameRow && overlap).as("labels %d and %d overlap", i, j).isFalse();
            }
        }
        List<Double> rows = new ArrayList<>();
        assertThat(Timeline.labelRow(rows, 100, "abc")).isZero();
        assertThat(Timeline.labelRow(rows, 110, "abc")).isEqualTo(1);
        assertThat(Timeline.labelRow(rows, 200, "abc")).isZero();
    }
}
