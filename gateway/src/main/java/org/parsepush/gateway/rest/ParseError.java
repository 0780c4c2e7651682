package org.parsepush.gateway.rest;

/**
 * An error answered the way Parse Server answers it: an HTTP status and
 * {@code {"code": <Parse error code>, "error": "<message>"}}.
 */
final class ParseError extends RuntimeException {

    /** Parse.Error.OBJECT_NOT_FOUND. */
    static final int OBJECT_NOT_FOUND = 101;
    /** Parse.Error.INVALID_QUERY. */
    static final int INVALID_QUERY = 102;
    /** Parse.Error.INVALID_JSON. */
    static final int INVALID_JSON = 107;
    /** Parse.Error.OPERATION_FORBIDDEN. */
    static final int OPERATION_FORBIDDEN = 119;
    /** Parse.Error.PUSH_MISCONFIGURED. */
    static final int PUSH_MISCONFIGURED = 115;
    /** Parse's {@code REQUEST_LIMIT_EXCEEDED}: the gateway is overloaded; retry after {@code Retry-After}. */
    static final int REQUEST_LIMIT_EXCEEDED = 155;
    /** Parse.Error.INTERNAL_SERVER_ERROR. */
    static final int INTERNAL_SERVER_ERROR = 1;

    private final int httpStatus;
    private final Integer code;

    ParseError(int httpStatus, Integer code, String message) {
        super(message);
        this.httpStatus = httpStatus;
        this.code = code;
    }

    static ParseError badRequest(int code, String message) {
        return new ParseError(400, code, message);
    }

    int httpStatus() {
        return httpStatus;
    }

    /** Parse's code, or null for answers that carry none (Parse's bare "unauthorized"). */
    Integer code() {
        return code;
    }
}
