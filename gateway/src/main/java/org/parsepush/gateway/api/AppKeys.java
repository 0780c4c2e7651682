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
 * Checks the credentials of a call, for the gRPC API and the REST API alike: an app's master
 * key, its per-service API keys ({@link ApiKeyRing}), or its client key when the app allows
 * client push. Keys are compared as SHA-256 digests with {@link MessageDigest#isEqual}, in
 * constant time; an unknown app costs the same digest, so timing tells nothing about which
 * apps exist.
 */
public final class AppKeys {

    private final Map<String, App> apps = new HashMap<>();

    /** Apps with their API keys, by application id (apps without an entry have none). */
    public AppKeys(List<AppConfig> apps, Map<String, ApiKeyRing> apiKeys) {
        for (AppConfig app : apps) {
            this.apps.put(app.appId(), new App(app, sha256(app.masterKey()),
                    app.clientPush() ? sha256(app.clientKey()) : null,
                    apiKeys.getOrDefault(app.appId(), ApiKeyRing.none())));
        }
    }

    /** The master key's caller when the id is known and the master key is its own. */
    public Optional<Caller> master(String appId, String masterKey) {
        App app = appId == null ? null : apps.get(appId);
        byte[] given = sha256(masterKey == null ? "" : masterKey);
        if (app == null || masterKey == null || !MessageDigest.isEqual(given, app.masterKeyDigest)) {
            return Optional.empty();
        }
        return Optional.of(Caller.master(app.config));
    }

    /** The client key's caller when the app allows client push and the key is its own. */
    public Optional<Caller> client(String appId, String clientKey) {
        App app = appId == null ? null : apps.get(appId);
        byte[] given = sha256(clientKey == null ? "" : clientKey);
        if (app == null || clientKey == null || app.clientKeyDigest == null
                || !MessageDigest.isEqual(given, app.clientKeyDigest)) {
            return Optional.empty();
        }
        return Optional.of(Caller.client(app.config));
    }

    /** The API key's caller when {@code key} is one of the app's API keys. */
    public Optional<Caller> apiKey(String appId, String key) {
        App app = appId == null ? null : apps.get(appId);
        if (app == null || key == null) {
            ApiKeyHash.DECOY.matches(key == null ? "" : key);
            return Optional.empty();
        }
        return app.apiKeys.authenticate(key).map(found -> Caller.apiKey(app.config, found.id(), found.operations()));
    }

    /**
     * The caller for whichever credential the call carries, in Parse's order of precedence:
     * the master key, else an API key, else the client key. The first one present decides;
     * a wrong master key is not rescued by a right client key.
     */
    public Optional<Caller> authenticate(String appId, String masterKey, String apiKey, String clientKey) {
        if (masterKey != null) {
            return master(appId, masterKey);
        }
        if (apiKey != null) {
            return apiKey(appId, apiKey);
        }
        return client(appId, clientKey);
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

    private record App(AppConfig config, byte[] masterKeyDigest, byte[] clientKeyDigest, ApiKeyRing apiKeys) {
    }
}
