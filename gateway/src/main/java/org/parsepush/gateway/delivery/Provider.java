package org.parsepush.gateway.delivery;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.parsepush.gateway.audience.Installation;
import org.parsepush.gateway.push.PushMessage;

/**
 * A delivery service (APNs, FCM, PPNS) for one app. It routes installations to its lanes,
 * renders a push once into its own message type {@code M}, and sends batches, answering one
 * {@link Attempt} per device. Providers never touch MongoDB or the push's status; retries
 * and the in-flight bound live in {@link Delivery}.
 *
 * @param <M> the provider's prepared message
 */
public interface Provider<M> extends AutoCloseable {

    /** {@code apns}, {@code fcm} or {@code ppns}: the key used in reports and metrics. */
    String name();

    /** The lane for an installation this provider is responsible for. */
    Route route(Installation device);

    /**
     * Renders the push for this provider, once per push.
     *
     * @throws IllegalArgumentException when the push cannot be sent by this provider at all
     *                                  (e.g. the payload is over its size limit)
     */
    M prepare(PushMessage push);

    /**
     * Sends one batch on one lane. The returned list has one attempt per device, in order.
     * The future may also fail as a whole (e.g. the connection is gone): every device of
     * the batch is then retried.
     */
    CompletableFuture<List<Attempt>> send(Lane lane, M message, List<Installation> devices);

    @Override
    void close();
}
