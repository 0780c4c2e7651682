package org.parsepush.ppns;

import java.util.Objects;

/**
 * The gateway's answer to a handshake: let the device in, or close it for a reason.
 *
 * @param rejection why the device is refused; null when it is accepted
 */
public record Admission(Rejection rejection) {

    private static final Admission ACCEPTED = new Admission(null);

    /** Registers the connection; the gateway hears of it through {@link ConnectionListener#connected}. */
    public static Admission accept() {
        return ACCEPTED;
    }

    /** Closes the connection and counts it under {@code reason}. */
    public static Admission reject(Rejection reason) {
        return new Admission(Objects.requireNonNull(reason, "reason"));
    }

    /** Whether the device may connect. */
    public boolean accepted() {
        return rejection == null;
    }
}
