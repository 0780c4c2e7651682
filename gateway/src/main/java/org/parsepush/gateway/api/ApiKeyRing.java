package org.parsepush.gateway.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An app's per-service API keys, read from its key file and replaced as a whole when the
 * file changes and is valid; an invalid file leaves the keys in use untouched.
 */
public final class ApiKeyRing {

    private final Path file;
    private volatile Map<String, ApiKey> keys;

    private ApiKeyRing(Path file, Map<String, ApiKey> keys) {
        this.file = file;
        this.keys = keys;
    }

    /** An app without API keys. */
    public static ApiKeyRing none() {
        return new ApiKeyRing(null, Map.of());
    }

    /** Reads {@code file}; throws when it is not a valid key file. */
    public static ApiKeyRing load(Path file) throws IOException {
        return new ApiKeyRing(file, byId(ApiKeysFile.read(file)));
    }

    /** Reads the file again; on any problem throws and keeps the current keys. */
    public void reload() throws IOException {
        keys = byId(ApiKeysFile.read(file));
    }

    /** The key file, or null. */
    public Path file() {
        return file;
    }

    /** The ids of the keys in use, for logs. */
    public List<String> ids() {
        return List.copyOf(keys.keySet());
    }

    /**
     * The key {@code presented} ({@code <id>.<secret>}) is, when it is one of these. An
     * unknown id costs the same hash as a known one.
     */
    public Optional<ApiKey> authenticate(String presented) {
        String id = presented == null ? null : ApiKeyHash.idOf(presented);
        ApiKey key = id == null ? null : keys.get(id);
        if (key == null) {
            ApiKeyHash.DECOY.matches(presented == null ? "" : presented);
            return Optional.empty();
        }
        return key.hash().matches(presented) ? Optional.of(key) : Optional.empty();
    }

    private static Map<String, ApiKey> byId(List<ApiKey> list) {
        Map<String, ApiKey> map = new LinkedHashMap<>();
        list.forEach(key -> map.put(key.id(), key));
        return Collections.unmodifiableMap(map);
    }
}
