package org.parsepush.gateway.ppns;

import java.time.Instant;
import org.parsepush.ppns.PushLine;

/**
 * A push rendered for PPNS once: the line every device receives, whether it is too long for
 * small devices, and how long it waits in offline devices' inboxes.
 */
record PpnsMessage(PushLine line, boolean tooLarge, Instant keepUntil) {
}
