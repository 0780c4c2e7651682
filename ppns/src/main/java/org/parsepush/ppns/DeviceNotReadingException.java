package org.parsepush.ppns;

/**
 * A line was not sent because the device has not read what it was already sent: the server
 * holds at most {@link PpnsConnection#OUTBOUND_LIMIT} for a device, so that one stalled
 * device cannot fill the gateway's memory. The gateway keeps the push for the device's
 * replay when it reconnects.
 */
public final class DeviceNotReadingException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    DeviceNotReadingException(PpnsConnection connection) {
        super(connection + " is not reading; line not sent");
    }
}
