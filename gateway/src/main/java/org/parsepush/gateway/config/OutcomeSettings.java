package org.parsepush.gateway.config;

import java.time.Duration;
import java.util.List;

/** Which per-device outcomes are kept for WatchPush, and for how long. */
public final class OutcomeSettings {

    /** What the outcome log keeps. */
    public enum Record { all, failed, none }

    private Record record = Record.all;
    private int retentionDays = 7;

    /**
     * {@code all} keeps every device's outcome; {@code failed} only those not sent (for very
     * large campaigns on a small database); {@code none} keeps counts only.
     */
    public Record record() {
        return record;
    }

    /** How long outcomes are kept after they are recorded. */
    public Duration retention() {
        return Duration.ofDays(retentionDays);
    }

    void collectProblems(List<String> problems) {
        if (retentionDays < 1) {
            problems.add("outcomes.retentionDays must be at least 1, got " + retentionDays);
        }
    }
}
