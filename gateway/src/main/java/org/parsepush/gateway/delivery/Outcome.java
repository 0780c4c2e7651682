package org.parsepush.gateway.delivery;

import org.parsepush.gateway.audience.Installation;

/**
 * The final word on one device of one push.
 *
 * @param device    the installation
 * @param provider  {@code apns}, {@code fcm}, {@code ppns}, or null when none was chosen
 * @param kind      what happened
 * @param reason    why, unless sent
 * @param detail    the provider's own words, never secrets
 * @param tokenDead the token should be removed from the installation
 */
public record Outcome(Installation device, String provider, Kind kind, Reason reason, String detail,
                      boolean tokenDead) {

    /** What happened to a device. */
    public enum Kind { SENT, QUEUED, FAILED, SKIPPED }

    public static Outcome sent(Installation device, String provider) {
        return new Outcome(device, provider, Kind.SENT, null, null, false);
    }

    public static Outcome queued(Installation device, String provider) {
        return new Outcome(device, provider, Kind.QUEUED, null, null, false);
    }

    public static Outcome failed(Installation device, String provider, Reason reason, String detail,
                                 boolean tokenDead) {
        return new Outcome(device, provider, Kind.FAILED, reason, detail, tokenDead);
    }

    public static Outcome skipped(Installation device, String provider, Reason reason) {
        return new Outcome(device, provider, Kind.SKIPPED, reason, null, false);
    }
}
