package org.parsepush.gateway.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.parsepush.gateway.apns.ApnsProvider;
import org.parsepush.gateway.audience.Audience;
import org.parsepush.gateway.config.AppConfig;
import org.parsepush.gateway.config.GatewayConfig;
import org.parsepush.gateway.credentials.CredentialMonitor;
import org.parsepush.gateway.delivery.Router;
import org.parsepush.gateway.fcm.FcmProvider;
import org.parsepush.gateway.ppns.PpnsEndpoint;
import org.parsepush.gateway.ppns.PpnsProvider;
import org.parsepush.gateway.store.MongoConnection;

/** The apps a gateway serves, built from configuration at start. */
public final class ParseApps implements AutoCloseable {

    private final Map<String, ParseApp> apps = new LinkedHashMap<>();

    public ParseApps(GatewayConfig config, MongoConnection mongo, EventLoopGroup providerLoops,
                     PpnsEndpoint ppnsEndpoint, MeterRegistry registry, CredentialMonitor credentials) {
        for (AppConfig app : config.apps()) {
            var database = mongo.database(app.database());
            Audience audience = new Audience(database, config.delivery().cursorBatchSize(),
                    config.delivery().maxSubqueryResults());
            ApnsProvider apns = new ApnsProvider(app, config.apns(), providerLoops, registry, credentials);
            FcmProvider fcm = new FcmProvider(app, config.fcm(), credentials);
            PpnsProvider ppns = ppnsEndpoint == null ? null
                    : new PpnsProvider(app.appId(), ppnsEndpoint, ppnsEndpoint.register(app.appId(), database));
            apps.put(app.appId(), new ParseApp(app, database, audience, new Router(apns, fcm, ppns), () -> {
                apns.close();
                fcm.close();
            }, config.outcomes().retention(), config.jobs()));
        }
    }

    /** The app with this id, or null. */
    public ParseApp get(String appId) {
        return apps.get(appId);
    }

    public Collection<ParseApp> all() {
        return apps.values();
    }

    @Override
    public void close() {
        apps.values().forEach(ParseApp::close);
    }
}
