package org.parsepush.gateway.config;

import java.util.List;

/** The configuration cannot be used; the message names every problem found. */
public final class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }

    static ConfigException of(List<String> problems) {
        return new ConfigException("invalid configuration:\n  - " + String.join("\n  - ", problems));
    }
}
