package org.parsepush.gateway.api;

import java.util.Set;

/**
 * One per-service API key as the app's key file lists it: its id, only the hash of the key,
 * and the operations it allows.
 */
public record ApiKey(String id, ApiKeyHash hash, Set<Operation> operations) {

    public ApiKey {
        operations = Set.copyOf(operations);
    }
}
