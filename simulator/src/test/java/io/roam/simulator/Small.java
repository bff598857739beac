package io.roam.simulator;

/** Small scenarios for the tests. */
final class Small {
    private Small() {
    }

    /** 100 nodes, 200 ranks (20 jobs x 10, stencil) packed on a quarter of the nodes, 120 s. */
    static final String PACKED = """
            roam.simulation {
              name = small
              nodes = 100
              duration = 120s
              applications { jobs = 20, processes-per-job = 10, graph = stencil }
              placement { kind = packed, packed-share = 0.25 }
            }
            """;

    /** PACKED with joins, leaves, a slowdown, message loss, and C2C clusters. */
    static final String CHURN = """
            roam.simulation {
              name = small-churn
              nodes = 60
              duration = 120s
              cpu { distribution = uniform, min = 0.5, max = 1.5 }
              topology { kind = c2c, clusters = 3, neighbours = 6 }
              network.loss = 0.05
              applications { jobs = 12, processes-per-job = 10, graph = random }
              placement { kind = packed, packed-share = 0.3 }
              churn { joins = 15, leaves = 25, start = 5s, end = 100s }
              slowdown { at = 50s, share = 0.2, factor = 0.25 }
            }
            """;

    static Scenario packed() {
        return Scenario.parse(PACKED);
    }

    static Scenario churn() {
        return Scenario.parse(CHURN);
    }
}
