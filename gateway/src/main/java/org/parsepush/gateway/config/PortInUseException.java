package org.parsepush.gateway.config;

/** A listener could not bind because its port is taken; names the configuration key. */
public final class PortInUseException extends RuntimeException {

    public PortInUseException(String configKey, String host, int port) {
        super(host + ":" + port + " is already in use; choose another port with " + configKey
                + " (0 picks any free port)");
    }
}
