package org.parsepush.gateway.audience;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Who a push goes to, in domain terms (the API's channels and id lists become queries). */
public sealed interface Target {

    /** A Parse {@code where} query on {@code _Installation}. */
    record Where(JsonNode where) implements Target {
    }

    /** A saved {@code _Audience}, by objectId. */
    record SavedAudience(String audienceId) implements Target {
    }

    /** Devices given in the request itself; no database lookup. */
    record Devices(List<Installation> devices) implements Target {
        public Devices {
            devices = List.copyOf(devices);
        }
    }
}
