package io.roam.heat.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** What the benchmark ran on, for the report. */
record Machine(String date, int cores, String cpu, String memory, String hugePages, String kernel, String openMpi,
               String java) {

    static Machine probe() {
        return new Machine(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME.withLocale(Locale.ROOT))
                .replaceAll("\\.\\d+", ""),
                Proc.CORES,
                procLine("/proc/cpuinfo", "model name").orElse("unknown"),
                procLine("/proc/meminfo", "MemTotal").map(Machine::gib).orElse("unknown"),
                selected("/sys/kernel/mm/transparent_hugepage/enabled").orElse("unknown"),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                firstLine(List.of("mpirun", "--version")).orElse("unknown"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    }

    /** The value after the colon of the first line of a /proc file that starts with {@code key}. */
    private static Optional<String> procLine(String file, String key) {
        try {
            return Files.readAllLines(Path.of(file)).stream().filter(l -> l.startsWith(key))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The bracketed choice of a sysfs setting such as "always [madvise] never". */
    private static Optional<String> selected(String file) {
        try {
            String v = Files.readString(Path.of(file));
            int a = v.indexOf('['), b = v.indexOf(']');
            return a >= 0 && b > a ? Optional.of(v.substring(a + 1, b)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** "24684084 kB" as "23.5 GiB". */
    private static String gib(String kb) {
        try {
            long k = Long.parseLong(kb.replace("kB", "").trim());
            return String.format(Locale.ROOT, "%.1f GiB", k / (1024.0 * 1024.0));
        } catch (NumberFormatException e) {
            return kb;
        }
    }

    private static Optional<String> firstLine(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(10, TimeUnit.SECONDS);
            return out.lines().findFirst().map(String::trim);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
