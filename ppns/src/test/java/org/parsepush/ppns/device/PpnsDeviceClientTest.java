package org.parsepush.ppns.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PpnsDeviceClientTest {

    @Test
    void writesTheHandshakeExactlyAsTheLinuxSdk() {
        assertEquals("{\"installation_id\":\"842dde71-308f-4f63-a66e-801f181f61ba\", \"oauth_key\":\"my-app\","
                        + " \"v\":\"e1.0.0\", \"last\":null}",
                PpnsDeviceClient.handshakeLine("842dde71-308f-4f63-a66e-801f181f61ba", "my-app", null));
    }

    @Test
    void quotesLastAndEscapesWhatNeedsIt() {
        assertEquals("{\"installation_id\":\"a\\\"b\", \"oauth_key\":\"app\", \"v\":\"e1.0.0\","
                        + " \"last\":\"2016-02-16T22:00:00.000Z\"}",
                PpnsDeviceClient.handshakeLine("a\"b", "app", "2016-02-16T22:00:00.000Z"));
    }
}
