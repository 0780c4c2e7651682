package org.parsepush.gateway.config;

import java.util.List;

/**
 * The MongoDB connection. Without a URI the gateway starts an embedded MongoDB-compatible
 * server (mongo-java-server with its H2 file backend) on loopback and talks to it through
 * the same driver it would use for a production replica set.
 */
public final class MongoSettings {

    private String uri = "";
    private int embeddedPort;
    private int operationTimeoutMillis = 10_000;

    /** The connection string of the app's MongoDB; empty for the embedded database. */
    public String uri() {
        return uri;
    }

    /** True when no URI is configured and the embedded database is used. */
    public boolean embedded() {
        return uri == null || uri.isBlank();
    }

    /** The loopback port of the embedded database; 0 for any free port. */
    public int embeddedPort() {
        return embeddedPort;
    }

    /** Upper bound for one database operation, server selection included. */
    public int operationTimeoutMillis() {
        return operationTimeoutMillis;
    }

    void collectProblems(List<String> problems) {
        if (!embedded() && !uri.startsWith("mongodb://") && !uri.startsWith("mongodb+srv://")) {
            problems.add("mongo.uri must start with mongodb:// or mongodb+srv://");
        }
        if (embeddedPort < 0 || embeddedPort > 65535) {
            problems.add("mongo.embeddedPort must be between 0 and 65535, got " + embeddedPort);
        }
        if (operationTimeoutMillis < 100) {
            problems.add("mongo.operationTimeoutMillis must be at least 100, got " + operationTimeoutMillis);
        }
    }
}
