package org.parsepush.gateway.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads an app's API key file: a YAML (or JSON) list of entries with {@code id},
 * {@code hash} and {@code operations}, and an optional free-text {@code description}:
 *
 * <pre>
 * - id: billing
 *   hash: sha256:3f0c...:9a7e...
 *   operations: [send, read]
 * </pre>
 *
 * Every problem is an {@link IOException} naming the file and the entry; messages quote
 * only key ids and short names (a mistyped field or operation), never other content, so a
 * secret pasted there by mistake does not reach the logs.
 */
final class ApiKeysFile {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(JsonParser.Feature.INCLUDE_SOURCE_IN_LOCATION));
    private static final Set<String> FIELDS = Set.of("id", "hash", "operations", "description");

    private ApiKeysFile() {
    }

    static List<ApiKey> read(Path file) throws IOException {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr();
            throw new IOException(file + ": not valid YAML or JSON" + where);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return List.of();
        }
        if (!root.isArray()) {
            throw new IOException(file + ": must be a list of keys (- id: ..., hash: ..., operations: [...])");
        }
        List<ApiKey> keys = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < root.size(); i++) {
            ApiKey key = entry(file, i, root.get(i));
            if (!ids.add(key.id())) {
                throw new IOException(file + ": key id '" + key.id() + "' is listed twice");
            }
            keys.add(key);
        }
        return keys;
    }

    /** A mistyped name is worth showing; anything longer or stranger might be a pasted secret. */
    private static String quoted(String name) {
        return name.matches("[A-Za-z_]{1,32}") ? "'" + name + "'" : "(not shown)";
    }

    private static ApiKey entry(Path file, int index, JsonNode node) throws IOException {
        String where = file + ": entry " + index;
        if (!node.isObject()) {
            throw new IOException(where + " must be a mapping with id, hash and operations");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new IOException(where + ": unknown field " + quoted(name) + "; known: id, hash, operations, description");
            }
        }
        String id = node.path("id").asText(null);
        if (!ApiKeyHash.isValidId(id)) {
            throw new IOException(where + ": id must be 1 to 64 letters, digits, '-' or '_'");
        }
        String key = file + ": key '" + id + "'";
        ApiKeyHash hash;
        try {
            hash = ApiKeyHash.parse(node.path("hash").isTextual() ? node.get("hash").textValue() : null);
        } catch (IllegalArgumentException e) {
            throw new IOException(key + ": " + e.getMessage());
        }
        JsonNode list = node.path("operations");
        if (!list.isArray() || list.isEmpty()) {
            throw new IOException(key + ": operations must list at least one of " + Operation.names());
        }
        Set<Operation> operations = EnumSet.noneOf(Operation.class);
        for (JsonNode name : list) {
            operations.add(Operation.named(name.asText()).orElseThrow(() -> new IOException(key
                    + ": unknown operation " + quoted(name.asText()) + "; known: " + Operation.names())));
        }
        return new ApiKey(id, hash, operations);
    }
}
