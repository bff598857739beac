package io.roam.pcm.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Java error codes and the C header (libpcm's pcm.h, in the pcm-native module) must be the same list. */
class PcmErrorsTest {

    @Test
    void javaCodesMatchTheCHeader() throws IOException, IllegalAccessException {
        String header = Files.readString(Path.of("../pcm-native/src/main/c/pcm.h"));
        Matcher m = Pattern.compile("#define (PCM_(?:SUCCESS|ERR_\\w+))\\s+(-?\\d+)").matcher(header);
        Map<String, Integer> c = new HashMap<>();
        while (m.find()) {
            c.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        Map<String, Integer> java = new HashMap<>();
        for (Field f : PcmErrors.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                java.put(f.getName(), f.getInt(null));
            }
        }
        assertThat(c).hasSizeGreaterThan(15);
        assertThat(java).isEqualTo(c);
        assertThat(PcmErrors.name(PcmErrors.PCM_ERR_SPAWN)).isEqualTo("PCM_ERR_SPAWN");
        assertThat(PcmErrors.name(-999)).isEqualTo("PCM_ERR_UNKNOWN(-999)");
    }
}
