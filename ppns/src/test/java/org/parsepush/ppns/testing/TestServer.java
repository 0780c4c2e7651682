package org.parsepush.ppns.testing;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.parsepush.ppns.Admission;
import org.parsepush.ppns.ConnectionListener;
import org.parsepush.ppns.Handshake;
import org.parsepush.ppns.PpnsConnection;
import org.parsepush.ppns.PpnsServer;
import org.parsepush.ppns.PpnsSettings;
import org.parsepush.ppns.Rejection;

/**
 * A PPNS server on 127.0.0.1 with a stand-in for the gateway: it admits every installation
 * of {@link #APP_ID} (unless a test decides otherwise) and records every handshake,
 * connect and disconnect.
 */
public final class TestServer implements AutoCloseable {

    public static final String APP_ID = "test-app";

    public final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    public final List<Handshake> handshakes = new CopyOnWriteArrayList<>();
    public final List<PpnsConnection> connected = new CopyOnWriteArrayList<>();
    public final List<PpnsConnection> disconnected = new CopyOnWriteArrayList<>();
    private final PpnsServer server;

    private TestServer(PpnsSettings.Builder settings, Function<Handshake, CompletableFuture<Admission>> admission) {
        this.server = new PpnsServer(settings.host("127.0.0.1").port(0).meterRegistry(meters).build(),
                handshake -> {
                    handshakes.add(handshake);
                    return admission.apply(handshake);
                },
                new ConnectionListener() {
                    @Override
                    public void connected(PpnsConnection connection) {
                        connected.add(connection);
                    }

                    @Override
                    public void disconnected(PpnsConnection connection) {
                        disconnected.add(connection);
                    }
                });
    }

    /** Admits {@link #APP_ID}'s devices and rejects every other app's. */
    public static TestServer start(PpnsSettings.Builder settings) throws IOException {
        return start(settings, TestServer::knownAppOnly);
    }

    public static TestServer start(PpnsSettings.Builder settings,
                                   Function<Handshake, CompletableFuture<Admission>> admission) throws IOException {
        TestServer test = new TestServer(settings, admission);
        test.server.start();
        return test;
    }

    public static CompletableFuture<Admission> knownAppOnly(Handshake handshake) {
        return CompletableFuture.completedFuture(APP_ID.equals(handshake.applicationId())
                ? Admission.accept()
                : Admission.reject(Rejection.UNKNOWN_APPLICATION));
    }

    public PpnsServer server() {
        return server;
    }

    public int port() {
        return server.port();
    }

    /** The installation's connection, once the server has registered it. */
    public PpnsConnection connection(String installationId) {
        Eventually.until(installationId + " is registered",
                () -> server.connections().find(APP_ID, installationId).isPresent());
        return server.connections().find(APP_ID, installationId).orElseThrow();
    }

    /** {@code ppns.handshakes} for one outcome. */
    public double handshakes(String outcome) {
        return meters.get("ppns.handshakes").tag("outcome", outcome).counter().count();
    }

    /** {@code ppns.disconnects} for one reason. */
    public double disconnects(String reason) {
        return meters.get("ppns.disconnects").tag("reason", reason).counter().count();
    }

    /** A counter without tags. */
    public double counter(String name) {
        return meters.get(name).counter().count();
    }

    /** A gauge without tags. */
    public double gauge(String name) {
        return meters.get(name).gauge().value();
    }

    @Override
    public void close() {
        server.stop();
    }
}
