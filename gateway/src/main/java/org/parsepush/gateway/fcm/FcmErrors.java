package org.parsepush.gateway.fcm;

import com.google.firebase.IncomingHttpResponse;
import com.google.firebase.messaging.FirebaseMessagingException;
import com.google.firebase.messaging.MessagingErrorCode;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import org.parsepush.gateway.delivery.Attempt;
import org.parsepush.gateway.delivery.Reason;

/** FCM's errors (https://firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode) as attempts. */
final class FcmErrors {

    private FcmErrors() {
    }

    static Attempt attempt(FirebaseMessagingException error) {
        MessagingErrorCode code = error.getMessagingErrorCode();
        String detail = (code == null ? error.getErrorCode().name() : code.name()) + ": " + error.getMessage();
        if (code == null) {
            return byHttpStatus(error, detail);
        }
        return switch (code) {
            case UNREGISTERED -> Attempt.deadToken(Reason.UNREGISTERED, detail);
            case INVALID_ARGUMENT -> isBadToken(error)
                    ? Attempt.deadToken(Reason.BAD_DEVICE_TOKEN, detail) : Attempt.failed(Reason.REJECTED, detail);
            case SENDER_ID_MISMATCH -> Attempt.failed(Reason.SENDER_ID_MISMATCH, detail);
            case QUOTA_EXCEEDED -> Attempt.retry(Reason.RATE_LIMITED, detail, retryAfter(error));
            case UNAVAILABLE, INTERNAL -> Attempt.retry(Reason.PROVIDER_UNAVAILABLE, detail, retryAfter(error));
            case THIRD_PARTY_AUTH_ERROR -> Attempt.failed(Reason.CREDENTIAL_FAILED, detail);
        };
    }

    private static Attempt byHttpStatus(FirebaseMessagingException error, String detail) {
        IncomingHttpResponse response = error.getHttpResponse();
        int status = response == null ? 0 : response.getStatusCode();
        if (status == 429) {
            return Attempt.retry(Reason.RATE_LIMITED, detail, retryAfter(error));
        }
        if (status == 401 || status == 403) {
            return Attempt.failed(Reason.CREDENTIAL_FAILED, detail);
        }
        if (status >= 400 && status < 500) {
            return Attempt.failed(Reason.REJECTED, detail);
        }
        return Attempt.retry(Reason.PROVIDER_UNAVAILABLE, detail, retryAfter(error));
    }

    /** FCM says a token is malformed with INVALID_ARGUMENT and these words. */
    private static boolean isBadToken(FirebaseMessagingException error) {
        String message = String.valueOf(error.getMessage()).toLowerCase(Locale.ROOT);
        return message.contains("registration token") || message.contains("not a valid fcm registration token");
    }

    /** The Retry-After header, in seconds or as an HTTP date, or null. */
    static Duration retryAfter(FirebaseMessagingException error) {
        IncomingHttpResponse response = error.getHttpResponse();
        if (response == null) {
            return null;
        }
        Object header = response.getHeaders().entrySet().stream()
                .filter(entry -> entry.getKey().equalsIgnoreCase("retry-after"))
                .map(java.util.Map.Entry::getValue).findFirst().orElse(null);
        if (header instanceof List<?> values) {
            header = values.isEmpty() ? null : values.get(0);
        }
        if (header == null) {
            return null;
        }
        String value = header.toString().trim();
        try {
            return Duration.ofSeconds(Long.parseLong(value));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration until = Duration.between(ZonedDateTime.now(),
                        ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME));
                return until.isNegative() ? Duration.ZERO : until;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }
}
