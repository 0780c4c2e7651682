package org.parsepush.gateway.config;

import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Loads the {@link GatewayConfig}: the YAML file (optional), then environment variables
 * on top, then validation. Every problem is reported at once, by key, before anything
 * starts.
 *
 * <p>Environment variables named {@code GATEWAY_<PATH>} override one key each; path
 * segments are separated by a double underscore and written in upper snake case, list
 * entries by their index: {@code GATEWAY_GRPC__PORT=50052},
 * {@code GATEWAY_APPS__0__MASTER_KEY=...}. {@code GATEWAY_CONFIG} names the file.
 */
public final class ConfigLoader {

    /** The prefix of every environment variable the gateway reads. */
    public static final String ENV_PREFIX = "GATEWAY_";
    /** The environment variable that names the configuration file. */
    public static final String CONFIG_FILE_ENV = "GATEWAY_CONFIG";

    /** The development app served when there is no configuration file and no app. */
    public static final String DEV_APP_ID = "dev-app";
    /** The development app's master key; documented in the README, loopback only. */
    public static final String DEV_MASTER_KEY = "dev-master-key";

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
            .setVisibility(PropertyAccessor.ALL, Visibility.NONE)
            .setVisibility(PropertyAccessor.FIELD, Visibility.ANY)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** Loads from an optional file and the given environment. */
    public GatewayConfig load(Optional<Path> file, Map<String, String> env) {
        ObjectNode tree = file.map(this::readFile).orElseGet(JsonNodeFactory.instance::objectNode);
        applyEnvironment(tree, env);
        GatewayConfig config = bind(tree, file);
        if (config.apps().isEmpty() && file.isEmpty()) {
            requireLoopbackForTheDevelopmentApp(config);
            config.useApps(List.of(new AppConfig(DEV_APP_ID, DEV_MASTER_KEY, "dev")));
            config.ppns().registerDevicesForDevelopment();
        }
        validate(config);
        return config;
    }

    /**
     * The development app's master key is published in the README, so whatever takes it (the
     * gRPC API, Parse's REST API) and the PPNS endpoint that registers any device stay on
     * loopback. An operator who set a listener's host (in a container, say) is told why the
     * gateway will not start that way, instead of a warning that claims loopback.
     */
    private static void requireLoopbackForTheDevelopmentApp(GatewayConfig config) {
        List<String> problems = new ArrayList<>();
        requireLoopback("grpc.host", config.grpc().listener(), problems);
        if (config.rest().enabled()) {
            requireLoopback("rest.host", config.rest().listener(), problems);
        }
        if (config.ppns().enabled()) {
            requireLoopback("ppns.host", config.ppns().listener(), problems);
        }
        if (!problems.isEmpty()) {
            throw ConfigException.of(problems);
        }
    }

    private static void requireLoopback(String key, Listener listener, List<String> problems) {
        if (!isLoopback(listener.host())) {
            problems.add(key + " is " + listener.host() + ", but without a configuration file the gateway serves"
                    + " only the development app '" + DEV_APP_ID + "', whose master key is published, and so only"
                    + " on loopback: give a configuration file (--config or " + CONFIG_FILE_ENV + ") with your own"
                    + " apps and master keys to listen there");
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The file named by {@code --config <path>} or by {@code GATEWAY_CONFIG}, if any. */
    public static Optional<Path> configFile(String[] args, Map<String, String> env) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return Optional.of(Path.of(args[i + 1]));
            }
            if (args[i].startsWith("--config=")) {
                return Optional.of(Path.of(args[i].substring("--config=".length())));
            }
        }
        String fromEnv = env.get(CONFIG_FILE_ENV);
        return fromEnv == null || fromEnv.isBlank() ? Optional.empty() : Optional.of(Path.of(fromEnv));
    }

    private ObjectNode readFile(Path file) {
        if (!Files.isReadable(file)) {
            throw new ConfigException("configuration file not found or not readable: " + file.toAbsolutePath());
        }
        try {
            JsonNode node = yaml.readTree(file.toFile());
            if (node == null || node.isMissingNode() || node.isNull()) {
                return JsonNodeFactory.instance.objectNode();
            }
            if (!node.isObject()) {
                throw new ConfigException(file + ": the top level must be a mapping of keys");
            }
            return (ObjectNode) node;
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + ": not valid YAML: " + e.getOriginalMessage()
                    + locationOf(e));
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
    }

    private static void applyEnvironment(ObjectNode tree, Map<String, String> env) {
        Map<String, String> sorted = new TreeMap<>(env);
        for (Map.Entry<String, String> entry : sorted.entrySet()) {
            String name = entry.getKey();
            if (!name.startsWith(ENV_PREFIX) || name.equals(CONFIG_FILE_ENV)
                    || name.equals("GATEWAY_LOG_LEVEL")) {
                continue;
            }
            List<String> path = List.of(name.substring(ENV_PREFIX.length()).split("__"));
            setPath(tree, path, entry.getValue(), name);
        }
    }

    private static void setPath(ObjectNode root, List<String> path, String value, String envName) {
        JsonNode node = root;
        for (int i = 0; i < path.size(); i++) {
            String segment = path.get(i);
            boolean last = i == path.size() - 1;
            boolean nextIsIndex = !last && path.get(i + 1).matches("\\d+");
            if (node instanceof ObjectNode object) {
                String key = camelCase(segment);
                if (last) {
                    object.put(key, value);
                } else {
                    JsonNode child = object.get(key);
                    if (child == null || child.isNull()) {
                        child = nextIsIndex ? object.putArray(key) : object.putObject(key);
                    }
                    node = child;
                }
            } else if (node instanceof ArrayNode array && segment.matches("\\d+")) {
                int index = Integer.parseInt(segment);
                if (index > array.size()) {
                    throw new ConfigException(envName + ": list index " + index
                            + " skips entries (the list has " + array.size() + ")");
                }
                if (last) {
                    throw new ConfigException(envName + ": a list entry needs a key after its index");
                }
                if (index == array.size()) {
                    array.addObject();
                }
                node = array.get(index);
            } else {
                throw new ConfigException(envName + ": '" + segment + "' does not fit the configuration's shape");
            }
        }
    }

    /** {@code MASTER_KEY} to {@code masterKey}. */
    static String camelCase(String upperSnake) {
        String[] words = upperSnake.toLowerCase(Locale.ROOT).split("_");
        StringBuilder out = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            if (!words[i].isEmpty()) {
                out.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
            }
        }
        return out.toString();
    }

    private GatewayConfig bind(ObjectNode tree, Optional<Path> file) {
        String source = file.map(Path::toString).orElse("environment");
        try {
            return yaml.treeToValue(tree, GatewayConfig.class);
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw new ConfigException("unknown configuration key '" + keyPath(e) + "' in " + source
                    + (known.isEmpty() ? "" : "; known keys there: " + known));
        } catch (JsonMappingException e) {
            throw new ConfigException("configuration key '" + keyPath(e) + "' in " + source
                    + ": " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": " + e.getOriginalMessage());
        }
    }

    private static String keyPath(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String locationOf(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
    }

    private static void validate(GatewayConfig config) {
        List<String> problems = new ArrayList<>();
        config.collectProblems(problems);
        if (config.apps().isEmpty()) {
            problems.add("apps: at least one Parse app must be configured");
        }
        Set<String> ids = new HashSet<>();
        Set<String> databases = new HashSet<>();
        for (AppConfig app : config.apps()) {
            if (app.appId() != null && !ids.add(app.appId())) {
                problems.add("apps: appId '" + app.appId() + "' is configured twice");
            }
            if (app.database() != null && !databases.add(app.database())) {
                problems.add("apps: database '" + app.database() + "' is used by two apps;"
                        + " give each app its own database");
            }
        }
        if (!problems.isEmpty()) {
            throw ConfigException.of(problems);
        }
    }
}
