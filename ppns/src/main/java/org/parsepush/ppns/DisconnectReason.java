package org.parsepush.ppns;

/** Why an admitted connection ended: the {@code reason} tag of {@code ppns.disconnects}. */
enum DisconnectReason {
    /** The device closed the connection or the network dropped it. */
    DEVICE("device"),
    /** Nothing was heard from the device for the idle timeout. */
    IDLE("idle"),
    /** The same installation connected again. */
    REPLACED("replaced"),
    LINE_TOO_LONG("line_too_long"),
    /** The device sent a line that is not JSON. */
    MALFORMED("malformed"),
    /** The gateway called {@link PpnsConnection#close()}. */
    GATEWAY("gateway"),
    SERVER_STOP("server_stop"),
    /** An unexpected failure in the server; logged. */
    ERROR("error");

    final String tag;

    DisconnectReason(String tag) {
        this.tag = tag;
    }
}
