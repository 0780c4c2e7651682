package org.parsepush.gateway.audience;

/**
 * A target the gateway will not run: malformed JSON, an unsupported operator or shape, a
 * query nested too deeply. The message names the offending key so the caller can fix it.
 */
public final class InvalidQueryException extends RuntimeException {

    public InvalidQueryException(String message) {
        super(message);
    }
}
