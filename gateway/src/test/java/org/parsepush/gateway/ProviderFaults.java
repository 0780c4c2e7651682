package org.parsepush.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.bson.Document;
import org.parsepush.proto.v1.Channels;
import org.parsepush.proto.v1.PushStatus;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.Target;

/** What the provider fault tests (APNs, FCM) share: the push they send and the give-up checks. */
public final class ProviderFaults {

    private ProviderFaults() {
    }

    /** Sends the fault tests' push to the installations on {@code channel}. */
    public static String sendTo(TestGateway gateway, String channel) {
        return gateway.send(SendPushRequest.newBuilder()
                .setTarget(Target.newBuilder().setChannels(Channels.newBuilder().addNames(channel)))
                .setDataJson("{\"alert\":\"through the fault\"}").build());
    }

    /**
     * A fault that never cleared: every device of {@code audience} failed with {@code reason}
     * after exactly {@code maxAttempts} tries at the provider, each with an outcome saying so.
     */
    public static void assertGaveUp(TestMongo mongo, PushStatus result, Set<String> audience,
                                    Map<String, Integer> triesByToken, String reason, int maxAttempts) {
        assertEquals(0, result.getNumSent());
        assertEquals(audience.size(), result.getNumFailed());
        assertEquals(Map.of(reason, (long) audience.size()), result.getFailedPerReasonMap());
        assertEquals(audience, triesByToken.keySet());
        assertEquals(Set.of(maxAttempts), new HashSet<>(triesByToken.values()), "tries per device");
        List<Document> outcomes = mongo.database("testdb").getCollection("push_gateway_outcomes")
                .find(new Document("pushId", result.getPushId())).into(new ArrayList<>());
        assertEquals(audience.size(), outcomes.size());
        for (Document outcome : outcomes) {
            assertEquals(reason, outcome.getString("reason").toLowerCase(Locale.ROOT));
            assertTrue(outcome.getString("detail").contains("gave up after " + maxAttempts + " attempts"),
                    outcome.getString("detail"));
        }
    }
}
