package org.parsepush.gateway.fcm;

import com.google.firebase.messaging.AndroidConfig;
import com.google.firebase.messaging.Message;
import java.util.Map;

/**
 * A push rendered for FCM once: Parse's data message fields and the Android options; only
 * the token differs per device.
 */
record FcmMessage(Map<String, String> data, AndroidConfig android) {

    Message forToken(String token) {
        return Message.builder().setToken(token).putAllData(data).setAndroidConfig(android).build();
    }
}
