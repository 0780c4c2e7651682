package org.parsepush.gateway.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One Parse app: its keys, its database and its provider credentials. */
public final class AppConfig {

    private String appId;
    private String masterKey;
    private String clientKey;
    private boolean clientPush;
    private String apiKeysFile;
    private String database = "parse";
    private boolean tokenCleanup = true;
    private List<ApnsCredentialConfig> apns = new ArrayList<>();
    private List<FcmCredentialConfig> fcm = new ArrayList<>();

    AppConfig() {
    }

    AppConfig(String appId, String masterKey, String database) {
        this.appId = appId;
        this.masterKey = masterKey;
        this.database = database;
    }

    /** The Parse application id (`X-Parse-Application-Id`). */
    public String appId() {
        return appId;
    }

    /** The Parse master key. Never log it. */
    public String masterKey() {
        return masterKey;
    }

    /** The Parse client key, or null. Never log it. */
    public String clientKey() {
        return clientKey == null || clientKey.isEmpty() ? null : clientKey;
    }

    /**
     * Parse's "client push" option: when true, the client key may push to channels (and
     * nothing else). Off by default, as on Parse.
     */
    public boolean clientPush() {
        return clientPush;
    }

    /**
     * The file listing the app's per-service API keys (ids, hashes, operations), reloaded
     * when it changes; null when the app has none.
     */
    public Path apiKeysFile() {
        return apiKeysFile == null || apiKeysFile.isBlank() ? null : Path.of(apiKeysFile);
    }

    /** The MongoDB database holding the app's Parse collections. */
    public String database() {
        return database;
    }

    /** Whether dead tokens are unset from `_Installation` after a push. */
    public boolean tokenCleanup() {
        return tokenCleanup;
    }

    /** APNs credentials, one per topic and environment. */
    public List<ApnsCredentialConfig> apns() {
        return apns;
    }

    /** Firebase credentials, one per sender id. */
    public List<FcmCredentialConfig> fcm() {
        return fcm;
    }

    void collectProblems(String path, List<String> problems) {
        if (appId == null || appId.isBlank()) {
            problems.add(path + ".appId is required");
        }
        if (masterKey == null || masterKey.isBlank()) {
            problems.add(path + ".masterKey is required (app '" + appId + "')");
        }
        if (clientPush && clientKey() == null) {
            problems.add(path + ".clientKey is required with clientPush: true (app '" + appId + "')");
        }
        if (apiKeysFile() != null) {
            CredentialFiles.checkReadable(path + ".apiKeysFile", apiKeysFile, problems);
        }
        if (database == null || database.isBlank()) {
            problems.add(path + ".database must not be empty");
        }
        for (int i = 0; i < apns.size(); i++) {
            apns.get(i).collectProblems(path + ".apns[" + i + "]", problems);
        }
        for (int i = 0; i < fcm.size(); i++) {
            fcm.get(i).collectProblems(path + ".fcm[" + i + "]", problems);
        }
    }
}
