package org.parsepush.gateway.audience;

import java.util.List;
import org.bson.Document;
import org.parsepush.gateway.store.ParseNames;

/**
 * The part of an {@code _Installation} that delivery needs, as read by the audience cursor
 * (only these fields are projected).
 *
 * @param objectId       Parse objectId ({@code _id})
 * @param deviceType     {@code ios}, {@code android}, {@code embedded}, ...
 * @param deviceToken    the provider token, or null
 * @param pushType       {@code gcm}, {@code ppns} or null
 * @param appIdentifier  bundle id / package name, or null
 * @param gcmSenderId    FCM sender id the token belongs to, or null
 * @param timeZone       IANA zone name, or null
 * @param badge          current badge number, or null
 * @param installationId the device's own installation id (PPNS handshakes use it), or null
 */
public record Installation(String objectId, String deviceType, String deviceToken, String pushType,
                           String appIdentifier, String gcmSenderId, String timeZone, Integer badge,
                           String installationId) {

    /** The fields read from MongoDB. */
    public static final List<String> FIELDS = List.of(ParseNames.ID, ParseNames.DEVICE_TYPE, ParseNames.DEVICE_TOKEN,
            ParseNames.PUSH_TYPE, ParseNames.APP_IDENTIFIER, ParseNames.GCM_SENDER_ID, ParseNames.TIME_ZONE,
            ParseNames.BADGE, ParseNames.INSTALLATION_ID);

    /** Reads a projected {@code _Installation} document. */
    public static Installation fromDocument(Document doc) {
        Object badge = doc.get(ParseNames.BADGE);
        return new Installation(String.valueOf(doc.get(ParseNames.ID)), doc.getString(ParseNames.DEVICE_TYPE),
                blankToNull(doc.get(ParseNames.DEVICE_TOKEN)), blankToNull(doc.get(ParseNames.PUSH_TYPE)),
                blankToNull(doc.get(ParseNames.APP_IDENTIFIER)), blankToNull(doc.get(ParseNames.GCM_SENDER_ID)),
                blankToNull(doc.get(ParseNames.TIME_ZONE)), badge instanceof Number n ? n.intValue() : null,
                blankToNull(doc.get(ParseNames.INSTALLATION_ID)));
    }

    /** A device addressed by token only, with no installation behind it. */
    public static Installation ofToken(String deviceType, String deviceToken, String pushType, String appIdentifier,
                                       String gcmSenderId) {
        return new Installation(null, deviceType, blankToNull(deviceToken), blankToNull(pushType),
                blankToNull(appIdentifier), blankToNull(gcmSenderId), null, null, null);
    }


    private static String blankToNull(Object value) {
        return value instanceof String s && !s.isEmpty() ? s : null;
    }
}
