package org.parsepush.ppns;

/**
 * Why a device may not connect. The protocol has no error message: a rejected device is
 * disconnected, and the reason only reaches logs and the {@code ppns.handshakes} metric.
 */
public enum Rejection {

    /** The handshake is not what a PPNS device sends. */
    MALFORMED_HANDSHAKE,

    /** No app with this application id is served here. */
    UNKNOWN_APPLICATION,

    /** The app has no such installation (and is not set up to register devices on connect). */
    UNKNOWN_INSTALLATION,

    /** The gateway holds as many devices as it is willing to. */
    OVER_CAPACITY,

    /** The gateway cannot decide now (its database does not answer); the device will retry. */
    UNAVAILABLE
}
