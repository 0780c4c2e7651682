package org.parsepush.ppns;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The first line a device sends, parsed: who it is and what it has already seen, so that
 * the gateway can admit it and replay what it missed.
 *
 * @param installationId the device's {@code _Installation.installationId}, lower-cased as Parse stores it
 * @param applicationId  the Parse application id (sent as {@code oauth_key}; not a secret)
 * @param sdkVersion     the SDK version, e.g. {@code e1.0.0} (embedded) or {@code a1.13.0} (Android); null if not sent
 * @param last           the {@code time} of the newest push the device saw; null on its first connection
 * @param lastSeen       push ids the device saw recently (Android): not to be replayed; empty if not sent
 * @param ignoreAfter    pushes older than this are not to be replayed (Android); null if not sent
 * @param ackKeepAlive   the device asked for its keep-alives to be answered (Android); they always are
 */
public record Handshake(String installationId, String applicationId, String sdkVersion, Instant last,
                        List<String> lastSeen, Instant ignoreAfter, boolean ackKeepAlive) {

    public Handshake {
        Objects.requireNonNull(installationId, "installationId");
        Objects.requireNonNull(applicationId, "applicationId");
        lastSeen = List.copyOf(lastSeen);
    }
}
