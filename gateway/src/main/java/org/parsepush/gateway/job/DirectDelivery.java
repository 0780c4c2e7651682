package org.parsepush.gateway.job;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.parsepush.gateway.app.ParseApp;
import org.parsepush.gateway.audience.Installation;
import org.parsepush.gateway.config.DeliverySettings;
import org.parsepush.gateway.delivery.Delivery;
import org.parsepush.gateway.delivery.Lane;
import org.parsepush.gateway.delivery.Outcome;
import org.parsepush.gateway.delivery.Prepared;
import org.parsepush.gateway.delivery.Provider;
import org.parsepush.gateway.delivery.Route;
import org.parsepush.gateway.delivery.Router;
import org.parsepush.gateway.push.PushMessage;
import org.parsepush.gateway.report.PushMetrics;

/**
 * Delivers a small, given set of devices now and answers with their outcomes: what Parse
 * Server's push adapter needs, since Parse keeps its own {@code _PushStatus} and does its
 * own token cleanup. Same routing, lanes and retries as jobs; no job, no status.
 */
final class DirectDelivery {

    private final Delivery delivery;
    private final DeliverySettings settings;
    private final PushMetrics metrics;

    DirectDelivery(Delivery delivery, DeliverySettings settings, PushMetrics metrics) {
        this.delivery = delivery;
        this.settings = settings;
        this.metrics = metrics;
    }

    /** One outcome per device, in the order given. */
    List<Outcome> deliver(ParseApp app, PushMessage message, List<Installation> devices) throws InterruptedException {
        Outcome[] outcomes = new Outcome[devices.size()];
        Map<Lane, Group> groups = new LinkedHashMap<>();
        for (int i = 0; i < devices.size(); i++) {
            Installation device = devices.get(i);
            Router.Routed routed = app.router().route(device);
            Route route = routed.route();
            String provider = routed.provider() == null ? null : routed.provider().name();
            if (!route.delivers()) {
                outcomes[i] = route.skipped() ? Outcome.skipped(device, provider, route.reason())
                        : Outcome.failed(device, provider, route.reason(), null, false);
                continue;
            }
            Group group = groups.computeIfAbsent(route.lane(), lane -> new Group(routed.provider()));
            group.indexes.add(i);
            group.devices.add(device);
        }
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (Map.Entry<Lane, Group> entry : groups.entrySet()) {
            Lane lane = entry.getKey();
            Group group = entry.getValue();
            Prepared<?> prepared = Prepared.of(group.provider, message);
            int chunk = Math.min(settings.batchSize(), lane.maxInFlight());
            for (int from = 0; from < group.devices.size(); from += chunk) {
                int to = Math.min(group.devices.size(), from + chunk);
                List<Integer> indexes = group.indexes.subList(from, to);
                sent.add(delivery.submit(prepared, lane, group.devices.subList(from, to)).thenAccept(results -> {
                    for (int k = 0; k < results.size(); k++) {
                        outcomes[indexes.get(k)] = results.get(k);
                    }
                }));
            }
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
        List<Outcome> all = List.of(outcomes);
        metrics.record(app.appId(), all);
        return all;
    }

    private static final class Group {
        final Provider<?> provider;
        final List<Integer> indexes = new ArrayList<>();
        final List<Installation> devices = new ArrayList<>();

        Group(Provider<?> provider) {
            this.provider = provider;
        }
    }
}
