package org.parsepush.gateway.delivery;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.parsepush.gateway.audience.Installation;
import org.parsepush.gateway.push.PushMessage;

/**
 * A push rendered once for one provider, ready to be sent in batches.
 *
 * @param <M> the provider's message type
 */
public record Prepared<M>(Provider<M> provider, M message, PushMessage push) {

    /** Renders {@code push} for {@code provider}. */
    public static <M> Prepared<M> of(Provider<M> provider, PushMessage push) {
        return new Prepared<>(provider, provider.prepare(push), push);
    }

    CompletableFuture<List<Attempt>> send(Lane lane, List<Installation> devices) {
        return provider.send(lane, message, devices);
    }
}
