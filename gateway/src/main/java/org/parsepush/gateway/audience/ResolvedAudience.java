package org.parsepush.gateway.audience;

import java.util.List;
import org.bson.Document;

/**
 * A target turned into something that can be streamed: a MongoDB filter on
 * {@code _Installation} (with the Parse {@code where} it came from, for
 * {@code _PushStatus.query}), or the explicit devices of the request.
 *
 * @param whereJson the Parse query as JSON, as Parse records it in {@code _PushStatus.query}
 * @param filter    the MongoDB filter, or null for explicit devices
 * @param devices   the explicit devices, or an empty list
 */
public record ResolvedAudience(String whereJson, Document filter, List<Installation> devices) {

    /** True when the devices are listed in the request rather than queried. */
    public boolean explicit() {
        return filter == null;
    }
}
