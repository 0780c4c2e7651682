package org.parsepush.ppns;

/** A first line that is not a PPNS handshake; the message says what is wrong, for debug logs. */
final class MalformedHandshakeException extends Exception {

    MalformedHandshakeException(String message) {
        super(message, null, false, false);
    }
}
