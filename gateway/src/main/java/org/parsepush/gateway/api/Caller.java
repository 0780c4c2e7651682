package org.parsepush.gateway.api;

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.parsepush.gateway.config.AppConfig;

/**
 * Who made an authenticated call: the app, which kind of credential (and for an API key its
 * id; never the key itself), and the operations allowed.
 *
 * @param app        the app the credential belongs to
 * @param kind       master key, API key or client key
 * @param keyId      the API key's id, or null
 * @param operations what the credential allows
 */
public record Caller(AppConfig app, Kind kind, String keyId, Set<Operation> operations) {

    /** The kinds of credential. */
    public enum Kind { MASTER_KEY, API_KEY, CLIENT_KEY }

    public Caller {
        operations = Set.copyOf(operations);
    }

    /** The app's master key: everything. */
    public static Caller master(AppConfig app) {
        return new Caller(app, Kind.MASTER_KEY, null, Operation.all());
    }

    /** The app's client key under client push: channels only. */
    public static Caller client(AppConfig app) {
        return new Caller(app, Kind.CLIENT_KEY, null, EnumSet.of(Operation.SEND_CHANNELS));
    }

    /** A per-service API key. */
    public static Caller apiKey(AppConfig app, String keyId, Set<Operation> operations) {
        return new Caller(app, Kind.API_KEY, keyId, operations);
    }

    /** True for the master key. */
    public boolean isMaster() {
        return kind == Kind.MASTER_KEY;
    }

    /** True when this caller may do {@code operation}. */
    public boolean may(Operation operation) {
        return operation.grantedBy(operations);
    }

    /** Safe to log or answer: "the master key", "the client key" or "API key 'billing'". */
    public String description() {
        return switch (kind) {
            case MASTER_KEY -> "the master key";
            case CLIENT_KEY -> "the client key";
            case API_KEY -> "API key '" + keyId + "'";
        };
    }

    /** The error message for a refused operation: names the credential and what is missing, never the key. */
    public String refusal(Operation needed, String what) {
        String granted = operations.stream().sorted().map(Operation::configName).collect(Collectors.joining(", "));
        return description() + " may not " + needed.meaning() + ": " + what + " needs the operation '"
                + needed.configName() + "' (granted: " + (granted.isEmpty() ? "none" : granted) + ")";
    }
}
