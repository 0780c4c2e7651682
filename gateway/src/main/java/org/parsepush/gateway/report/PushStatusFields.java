package org.parsepush.gateway.report;

/**
 * Field names of {@code _PushStatus}: Parse's own (read by Parse Dashboard) and the
 * gateway's additions (ignored by Parse, shown by GetPushStatus).
 */
public final class PushStatusFields {

    private PushStatusFields() {
    }

    // Parse's fields.
    public static final String PUSH_TIME = "pushTime";
    public static final String SOURCE = "source";
    public static final String QUERY = "query";
    public static final String PAYLOAD = "payload";
    public static final String TITLE = "title";
    public static final String EXPIRY = "expiry";
    public static final String EXPIRATION_INTERVAL = "expiration_interval";
    public static final String STATUS = "status";
    public static final String NUM_SENT = "numSent";
    public static final String NUM_FAILED = "numFailed";
    public static final String PUSH_HASH = "pushHash";
    public static final String ERROR_MESSAGE = "errorMessage";
    public static final String SENT_PER_TYPE = "sentPerType";
    public static final String FAILED_PER_TYPE = "failedPerType";
    public static final String SENT_PER_UTC_OFFSET = "sentPerUTCOffset";
    public static final String FAILED_PER_UTC_OFFSET = "failedPerUTCOffset";
    public static final String COUNT = "count";

    // The gateway's additions.
    public static final String FAILED_PER_REASON = "failedPerReason";
    public static final String SKIPPED_PER_REASON = "skippedPerReason";
    public static final String NUM_SKIPPED = "numSkipped";
    public static final String NUM_QUEUED = "numQueued";
    public static final String PER_PROVIDER = "perProvider";
    public static final String STARTED_AT = "startedAt";
    public static final String FINISHED_AT = "finishedAt";
}
