package org.parsepush.gateway.report;

import java.util.Locale;

/**
 * A push's lifecycle. The first five are Parse's {@code _PushStatus.status} values;
 * cancelled and expired pushes are stored as Parse's {@code failed} with the precise state
 * beside it, so Parse Dashboard still understands them.
 */
public enum PushState {
    PENDING, SCHEDULED, RUNNING, SUCCEEDED, FAILED, CANCELLED, EXPIRED;

    /** The value of {@code _PushStatus.status}. */
    public String parseStatus() {
        return this == CANCELLED || this == EXPIRED ? "failed" : name().toLowerCase(Locale.ROOT);
    }


    /** Reads a stored state: the precise one if present, else Parse's status. */
    public static PushState fromStored(String state, String parseStatus) {
        String value = state != null ? state : parseStatus;
        return value == null ? PENDING : valueOf(value.toUpperCase(Locale.ROOT));
    }
}
