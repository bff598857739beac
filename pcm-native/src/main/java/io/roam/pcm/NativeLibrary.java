package io.roam.pcm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * The one loader of the binding's native code: {@code libroampcm_jni.so} from
 * {@code java.library.path} first; otherwise the copy packaged in this jar under
 * {@code native/<os>-<arch>/}, extracted with {@code libpcm.so.0} into a new temporary
 * directory (the JNI library finds libpcm beside itself through its {@code $ORIGIN} run path),
 * loaded, and deleted at once (a loaded library needs no file, and a process that leaves after
 * a migration ends with {@code _exit}, which runs no cleanup).
 */
final class NativeLibrary {
    static final String NAME = "roampcm_jni";
    private static final String[] PACKAGED = {"libroampcm_jni.so", "libpcm.so.0"};

    private static final Throwable CAUSE = load();

    private NativeLibrary() {
    }

    /** Null when the library is loaded and usable, else why not. */
    static Throwable unavailabilityCause() {
        return CAUSE;
    }

    /** The directory inside the jar: {@code native/linux-x86_64}. */
    static String platformDirectory() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).replaceAll("\\s+", "");
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (arch.equals("amd64") || arch.equals("x86-64")) {
            arch = "x86_64";
        }
        return "native/" + os + "-" + arch;
    }

    private static Throwable load() {
        Throwable fromPath;
        try {
            System.loadLibrary(NAME);
            return checkOnLoad();
        } catch (UnsatisfiedLinkError e) {
            fromPath = e;
        }
        try {
            loadFromJar();
            return checkOnLoad();
        } catch (IOException | UnsatisfiedLinkError | SecurityException e) {
            e.addSuppressed(fromPath);
            return e;
        }
    }

    private static Throwable checkOnLoad() {
        String err = PcmNative.loadError();
        return err == null ? null : new UnsatisfiedLinkError(err);
    }

    private static void loadFromJar() throws IOException {
        String dir = platformDirectory();
        if (NativeLibrary.class.getClassLoader().getResource(dir + "/" + PACKAGED[0]) == null) {
            throw new UnsatisfiedLinkError("no " + PACKAGED[0] + " in java.library.path nor in the jar under " + dir
                    + "/ (this platform is not packaged, or pcm-native was built without its native part)");
        }
        Path tmp = Files.createTempDirectory("roam-pcm-");
        try {
            for (String lib : PACKAGED) {
                try (InputStream in = NativeLibrary.class.getClassLoader().getResourceAsStream(dir + "/" + lib)) {
                    if (in == null) {
                        throw new UnsatisfiedLinkError("missing " + dir + "/" + lib + " in the jar");
                    }
                    Files.copy(in, tmp.resolve(lib), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            System.load(tmp.resolve(PACKAGED[0]).toAbsolutePath().toString());
        } finally {
            for (String lib : PACKAGED) {
                Files.deleteIfExists(tmp.resolve(lib));
            }
            Files.deleteIfExists(tmp);
        }
    }
}
