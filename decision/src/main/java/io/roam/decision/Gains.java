package io.roam.decision;

/** The relative difference both IOS gains use. */
final class Gains {
    private Gains() {
    }

    /** (there - here) / (there + here), -1 to 1 for non-negative inputs; 0 when the sum is 0. */
    static double relative(double there, double here) {
        double sum = there + here;
        return sum == 0 ? 0 : (there - here) / sum;
    }
}
