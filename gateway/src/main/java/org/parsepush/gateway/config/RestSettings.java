package org.parsepush.gateway.config;

import java.util.List;

/** Parse's REST push API served by the gateway, for backends that used Parse's {@code /parse/push}. */
public final class RestSettings {

    private boolean enabled = true;
    private String host = "127.0.0.1";
    private int port = 1337;
    private String path = "/parse";

    public boolean enabled() {
        return enabled;
    }

    /** The listener of the REST API. */
    public Listener listener() {
        return new Listener(host, port);
    }

    /** The mount path, as Parse Server's {@code mountPath}: {@code /parse} serves {@code /parse/push}. */
    public String path() {
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    void collectProblems(List<String> problems) {
        listener().collectProblems("rest", problems);
        if (path == null || !path.startsWith("/")) {
            problems.add("rest.path must start with /, got '" + path + "'");
        }
    }
}
