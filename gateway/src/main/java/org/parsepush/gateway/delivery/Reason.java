package org.parsepush.gateway.delivery;

import java.util.Locale;

/**
 * Why a device was not reached: one closed set shared by status counts, metrics, the
 * outcome log and token cleanup. {@link #code()} is the key used in reports.
 */
public enum Reason {
    UNREGISTERED,
    BAD_DEVICE_TOKEN,
    SENDER_ID_MISMATCH,
    SENDER_ID_NOT_CONFIGURED,
    TOPIC_NOT_CONFIGURED,
    PAYLOAD_TOO_LARGE,
    EXPIRED,
    RATE_LIMITED,
    CREDENTIAL_FAILED,
    PROVIDER_UNAVAILABLE,
    REJECTED,
    UNSUPPORTED_DEVICE_TYPE,
    NO_TIME_ZONE,
    CANCELLED,
    NO_DEVICE_TOKEN;

    private final String code = name().toLowerCase(Locale.ROOT);

    /** The lower-case code, e.g. {@code bad_device_token}. */
    public String code() {
        return code;
    }
}
