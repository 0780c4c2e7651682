package org.parsepush.gateway.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.parsepush.gateway.config.AppConfig;

/**
 * Checks a Parse application id and master key, for the gRPC API and the REST API alike.
 * Keys are compared as SHA-256 digests with {@link MessageDigest#isEqual}, in constant time;
 * an unknown app costs the same digest, so timing tells nothing about which apps exist.
 */
public final class AppKeys {

    private final Map<String, App> apps = new HashMap<>();

    public AppKeys(List<AppConfig> apps) {
        for (AppConfig app : apps) {
            this.apps.put(app.appId(), new App(app, sha256(app.masterKey())));
        }
    }

    /** The app when the id is known and the master key is its own. */
    public Optional<AppConfig> authenticate(String appId, String masterKey) {
        App app = appId == null ? null : apps.get(appId);
        byte[] given = sha256(masterKey == null ? "" : masterKey);
        if (app == null || masterKey == null || !MessageDigest.isEqual(given, app.masterKeyDigest)) {
            return Optional.empty();
        }
        return Optional.of(app.config);
    }

    /** True when an app with this id is served. */
    public boolean knows(String appId) {
        return appId != null && apps.containsKey(appId);
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private record App(AppConfig config, byte[] masterKeyDigest) {
    }
}
