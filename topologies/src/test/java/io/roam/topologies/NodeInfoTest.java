package io.roam.topologies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeInfoTest {

    @Test
    void rejectsNullAndBlankFieldsAndNegativeUpNumber() {
        assertThatThrownBy(() -> new NodeInfo(null, "c", "h", 1)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("address");
        assertThatThrownBy(() -> new NodeInfo("a", null, "h", 1)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("cluster");
        assertThatThrownBy(() -> new NodeInfo("a", "c", null, 1)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("host");
        assertThatThrownBy(() -> new NodeInfo(" ", "c", "h", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("address");
        assertThatThrownBy(() -> new NodeInfo("a", "", "h", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cluster");
        assertThatThrownBy(() -> new NodeInfo("a", "c", "\t", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host");
        assertThatThrownBy(() -> new NodeInfo("a", "c", "h", -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("upNumber");
    }

    @Test
    void threeArgumentConstructorUsesTheDefaultCluster() {
        assertThat(new NodeInfo("pekko://roam@h:1", "h", 3).cluster()).isEqualTo("default");
    }

    @Test
    void ageOrdersByUpNumberThenAddress() {
        NodeInfo a2 = new NodeInfo("pekko://roam@a:1", "a", 2);
        NodeInfo b1 = new NodeInfo("pekko://roam@b:1", "b", 1);
        NodeInfo c1 = new NodeInfo("pekko://roam@c:1", "c", 1);
        List<NodeInfo> list = new ArrayList<>(List.of(a2, c1, b1));
        list.sort(NodeInfo.BY_AGE);
        assertThat(list).containsExactly(b1, c1, a2);
        assertThat(b1.isOlderThan(c1)).isTrue();
        assertThat(c1.isOlderThan(b1)).isFalse();
        assertThat(a2.isOlderThan(a2)).isFalse();
    }

    @Test
    void sameAgentComparesAddressesOnly() {
        NodeInfo a = new NodeInfo("pekko://roam@a:1", "x", "a", 2);
        assertThat(a.sameAgent(new NodeInfo("pekko://roam@a:1", "y", "other", 7))).isTrue();
        assertThat(a.sameAgent(new NodeInfo("pekko://roam@b:1", "x", "a", 2))).isFalse();
        assertThat(a.sameAgent(null)).isFalse();
    }
}
