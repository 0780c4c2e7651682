package org.parsepush.ppns.device;

import java.util.Objects;

/**
 * Where a device connects.
 *
 * @param host the server's host name or address; also the name its certificate must carry
 * @param port the server's port
 * @param tls  how to check the server, or null for plain TCP
 */
public record DeviceEndpoint(String host, int port, DeviceTls tls) {

    public DeviceEndpoint {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
        }
    }

    /** Plain TCP, for a development server or one behind a TLS-terminating load balancer. */
    public static DeviceEndpoint plainTcp(String host, int port) {
        return new DeviceEndpoint(host, port, null);
    }
}
