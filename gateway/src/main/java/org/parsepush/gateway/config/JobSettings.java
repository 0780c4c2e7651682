package org.parsepush.gateway.config;

import java.time.Duration;
import java.util.List;

/** How replicas share durable push jobs through MongoDB. */
public final class JobSettings {

    private int pollMillis = 500;
    private int leaseSeconds = 30;
    private String replicaId = "";
    private int parseScheduledPollMillis = 10_000;
    private int idempotencyKeyRetentionHours = 24;
    private int finishedJobRetentionDays = 7;

    /** How often due jobs are looked for (a new push is started at once anyway). */
    public Duration pollInterval() {
        return Duration.ofMillis(pollMillis);
    }

    /**
     * How long a replica holds a job without renewing it; a replica that dies loses its
     * jobs to the others after this long.
     */
    public Duration lease() {
        return Duration.ofSeconds(leaseSeconds);
    }

    /** This replica's name in leases; empty for host name plus a random suffix. */
    public String replicaId() {
        return replicaId;
    }

    /**
     * How often {@code _PushStatus} is searched for pushes Parse Server recorded as scheduled
     * (with {@code scheduledPush: true}) so the gateway can run them; zero when never, for
     * Parse Servers that do not schedule pushes.
     */
    public Duration parseScheduledPoll() {
        return Duration.ofMillis(parseScheduledPollMillis);
    }

    /**
     * How long an idempotency key is remembered after its first use: a repeat within it
     * returns the first push, a repeat after it sends a new one.
     */
    public Duration idempotencyKeyRetention() {
        return Duration.ofHours(idempotencyKeyRetentionHours);
    }

    /**
     * How long a finished job stays in the gateway's job collection. Its {@code _PushStatus}
     * stays (Parse never removes those); the job is only the gateway's working record.
     */
    public Duration finishedJobRetention() {
        return Duration.ofDays(finishedJobRetentionDays);
    }

    void collectProblems(List<String> problems) {
        if (idempotencyKeyRetentionHours < 1) {
            problems.add("jobs.idempotencyKeyRetentionHours must be at least 1, got " + idempotencyKeyRetentionHours);
        }
        if (finishedJobRetentionDays < 1) {
            problems.add("jobs.finishedJobRetentionDays must be at least 1, got " + finishedJobRetentionDays);
        }
        if (parseScheduledPollMillis != 0 && parseScheduledPollMillis < 100) {
            problems.add("jobs.parseScheduledPollMillis must be 0 (never look) or at least 100, got "
                    + parseScheduledPollMillis);
        }
        if (pollMillis < 10) {
            problems.add("jobs.pollMillis must be at least 10, got " + pollMillis);
        }
        if (leaseSeconds < 2) {
            problems.add("jobs.leaseSeconds must be at least 2, got " + leaseSeconds);
        }
    }
}
