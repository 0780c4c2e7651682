package org.parsepush.ppns;

/** How a connection's handshake phase ended: the {@code outcome} tag of {@code ppns.handshakes}. */
enum HandshakeOutcome {
    ACCEPTED("accepted"),
    MALFORMED("malformed"),
    UNKNOWN_APP("unknown_app"),
    UNKNOWN_INSTALLATION("unknown_installation"),
    OVER_CAPACITY("over_capacity"),
    /** Too many connections open from the device's source address. */
    ADDRESS_LIMIT("address_limit"),
    UNAVAILABLE("unavailable"),
    TIMEOUT("timeout"),
    LINE_TOO_LONG("line_too_long"),
    TLS_FAILED("tls_failed"),
    /** The device went away before it was admitted. */
    ABANDONED("abandoned"),
    /** The gateway's admission failed with an exception instead of answering. */
    ADMISSION_FAILED("admission_failed"),
    /** An unexpected failure in the server; logged. */
    ERROR("error");

    final String tag;

    HandshakeOutcome(String tag) {
        this.tag = tag;
    }

    static HandshakeOutcome of(Rejection rejection) {
        return switch (rejection) {
            case MALFORMED_HANDSHAKE -> MALFORMED;
            case UNKNOWN_APPLICATION -> UNKNOWN_APP;
            case UNKNOWN_INSTALLATION -> UNKNOWN_INSTALLATION;
            case OVER_CAPACITY -> OVER_CAPACITY;
            case UNAVAILABLE -> UNAVAILABLE;
        };
    }
}
