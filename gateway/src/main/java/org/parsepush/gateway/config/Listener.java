package org.parsepush.gateway.config;

import java.util.List;

/** Where a server listens. Port 0 means any free port; the bound port is logged at start. */
public final class Listener {

    private String host = "127.0.0.1";
    private int port;

    Listener() {
    }

    Listener(int defaultPort) {
        this.port = defaultPort;
    }

    Listener(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** The address to bind: 127.0.0.1 by default, 0.0.0.0 for every interface. */
    public String host() {
        return host;
    }

    /** The port to bind. */
    public int port() {
        return port;
    }

    void collectProblems(String path, List<String> problems) {
        if (port < 0 || port > 65535) {
            problems.add(path + ".port must be between 0 and 65535, got " + port);
        }
        if (host == null || host.isBlank()) {
            problems.add(path + ".host must not be empty");
        }
    }
}
