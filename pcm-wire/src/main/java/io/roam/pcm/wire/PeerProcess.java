package io.roam.pcm.wire;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Whether the pid a REGISTER claims is the process at the other end of the connection or a
 * descendant of it (Linux).
 *
 * <p>Java reads the user of {@code SO_PEERCRED} but not its pid, so the check goes through
 * {@code /proc} and {@code ss} (iproute2), which reads the kernel's socket table:
 * <ol>
 *   <li>when the server accepts a connection, the socket inodes this JVM gained across the
 *       {@code accept} are noted ({@link #socketInodes()} before and after);</li>
 *   <li>at REGISTER, the one of them bound to the server's path in the network namespace of the
 *       claimed pid ({@code /proc/PID/net/unix}) is the accepted socket (the kernel creates it in
 *       the connecting process's namespace);</li>
 *   <li>{@code ss -xnH}, run in that namespace, gives the inode of its peer: the connecting
 *       process's socket;</li>
 *   <li>the claimed pid, or one of its ancestors ({@code /proc/PID/stat}'s ppid chain), must hold
 *       that socket ({@code /proc/PID/fd}).</li>
 * </ol>
 * A process that claims another pid (pid 1, a sibling, its parent) fails the last step; one in
 * another network namespace than the pid it claims fails the second.
 */
final class PeerProcess {
    private static final long SS_TIMEOUT_S = 10;
    private static final int MAX_ANCESTORS = 4096;
    private static volatile boolean ssWorks;

    private PeerProcess() {
    }

    /** Fails, saying what to install, unless /proc and ss are there to check pids with. */
    static void requireTools() throws IOException {
        if (ssWorks) {
            return;
        }
        if (!Files.isDirectory(Path.of("/proc/self/fd"))) {
            throw new IOException("checking the pid of each PCM process needs Linux's /proc, which is not mounted");
        }
        try {
            run(List.of("ss", "-V"));
            ssWorks = true;
        } catch (IOException e) {
            throw new IOException("checking the pid of each PCM process needs ss from iproute2, which did not run ("
                    + e.getMessage() + "): install iproute2", e);
        }
    }

    /** The inodes of the sockets this process holds open ({@code /proc/self/fd}). */
    static Set<Long> socketInodes() {
        return socketInodes(Path.of("/proc/self/fd"));
    }

    /**
     * Why {@code claimedPid} may not register on the connection whose accept brought
     * {@code acceptedInodes}, on the server bound to {@code socketPath}; null when it may.
     */
    static String refusal(Path socketPath, Set<Long> acceptedInodes, long claimedPid) {
        Path proc = Path.of("/proc", Long.toString(claimedPid));
        if (claimedPid <= 0 || !Files.isDirectory(proc)) {
            return "pid " + claimedPid + " is not a running process";
        }
        Set<Long> accepted = new HashSet<>(boundTo(proc.resolve("net/unix"), socketPath.toString()));
        accepted.retainAll(acceptedInodes);
        if (accepted.size() != 1) {
            return "pid " + claimedPid + " is not the process that connected (no connection of this socket in its"
                    + " network namespace)";
        }
        long local = accepted.iterator().next();
        OptionalLong peer;
        try {
            peer = peerOf(local, claimedPid);
        } catch (IOException e) {
            return "pid " + claimedPid + " cannot be checked against the connecting process (" + e.getMessage() + ")";
        }
        if (peer.isEmpty()) {
            return "pid " + claimedPid + " cannot be checked against the connecting process (ss lists no peer of"
                    + " socket " + local + ")";
        }
        if (ancestryHolds(claimedPid, "socket:[" + peer.getAsLong() + "]")) {
            return null;
        }
        return "pid " + claimedPid + " is neither the process that connected nor a descendant of it";
    }

    static Set<Long> socketInodes(Path fdDir) {
        Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException | UnsupportedOperationException closedMeanwhile) {
                    continue;
                }
                if (target.startsWith("socket:[") && target.endsWith("]")) {
                    inodes.add(Long.parseLong(target, 8, target.length() - 1, 10));
                }
            }
        } catch (IOException e) {
            // no such process any more, or not ours to read: it holds nothing we can see
        }
        return inodes;
    }

    /**
     * The inodes of the Unix sockets bound to {@code path} in a {@code /proc/.../net/unix} table
     * (columns Num RefCount Protocol Flags Type St Inode Path).
     */
    static Set<Long> boundTo(Path table, String path) {
        Set<Long> inodes = new HashSet<>();
        try {
            for (String line : Files.readAllLines(table, StandardCharsets.UTF_8)) {
                String[] f = line.trim().split("\\s+", 8);
                if (f.length == 8 && f[7].equals(path) && f[6].chars().allMatch(Character::isDigit)) {
                    inodes.add(Long.parseLong(f[6]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or unreadable: nothing bound we can see
        }
        return inodes;
    }

    /** The peer inode of socket {@code local} as {@code ss} lists it in the network namespace of {@code pid}. */
    private static OptionalLong peerOf(long local, long pid) throws IOException {
        List<String> ss = List.of("ss", "-xnH");
        String ours = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        String theirs;
        try {
            theirs = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns/net")).toString();
        } catch (IOException notOurs) {
            theirs = ours;   // not ours to enter: then this namespace, where a socket not in it is not found
        }
        List<String> cmd = new ArrayList<>();
        if (!ours.equals(theirs)) {
            cmd.addAll(List.of("nsenter", "--net=/proc/" + pid + "/ns/net"));
        }
        cmd.addAll(ss);
        return peerIn(run(cmd), local);
    }

    /**
     * In {@code ss -xnH} output (Netid State Recv-Q Send-Q Local-address Inode Peer-address
     * Peer-inode; an address may hold spaces), the peer inode of the row whose own inode is {@code local}.
     */
    static OptionalLong peerIn(List<String> ssLines, long local) {
        String wanted = Long.toString(local);
        for (String line : ssLines) {
            String[] t = line.trim().split("\\s+");
            for (int i = 5; i <= t.length - 3; i++) {
                if (t[i].equals(wanted) && t[t.length - 1].chars().allMatch(Character::isDigit)) {
                    return OptionalLong.of(Long.parseLong(t[t.length - 1]));
                }
            }
        }
        return OptionalLong.empty();
    }

    /** Whether {@code pid} or one of its ancestors has {@code link} among its open files. */
    private static boolean ancestryHolds(long pid, String link) {
        Set<Long> seen = new HashSet<>();
        for (long p = pid; p > 0 && seen.size() < MAX_ANCESTORS && seen.add(p); p = parent(p)) {
            if (holds(p, link)) {
                return true;
            }
        }
        return false;
    }

    private static boolean holds(long pid, String link) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals(link)) {
                        return true;
                    }
                } catch (IOException closedMeanwhile) {
                    // next
                }
            }
        } catch (IOException e) {
            // gone or not ours to read
        }
        return false;
    }

    /** The parent pid from {@code /proc/PID/stat} (the field after the state, past the command's ')'); 0 if unknown. */
    static long parent(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[1]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static List<String> run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l = r.readLine(); l != null; l = r.readLine()) {
                lines.add(l);
            }
            if (!p.waitFor(SS_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish in " + SS_TIMEOUT_S + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": "
                    + String.join(" ", lines).strip());
        }
        return lines;
    }
}
