package org.parsepush.ppns.simulator;

import io.netty.channel.EventLoopGroup;
import java.io.PrintStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.parsepush.ppns.device.DeviceEndpoint;
import org.parsepush.ppns.device.PpnsDeviceClient;
import org.parsepush.ppns.device.SourceAddresses;

/**
 * One simulated device over its lifetime: connect, handshake, ping, print pushes, and
 * reconnect with the time of the last push seen, as an embedded app restarting its push
 * service would.
 */
final class SimulatedDevice {

    private final String installationId;
    private final SimulatorOptions options;
    private final DeviceEndpoint endpoint;
    private final SourceAddresses sources;
    private final EventLoopGroup group;
    private final PrintStream out;
    private final PrintStream err;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private volatile String last;
    private volatile boolean stopping;
    private volatile PpnsDeviceClient client;

    SimulatedDevice(String installationId, SimulatorOptions options, DeviceEndpoint endpoint, SourceAddresses sources,
                    EventLoopGroup group, PrintStream out, PrintStream err) {
        this.installationId = installationId;
        this.options = options;
        this.endpoint = endpoint;
        this.sources = sources;
        this.group = group;
        this.out = out;
        this.err = err;
        this.last = options.last();
    }

    void start() {
        if (stopping) {
            stopped.complete(null);
            return;
        }
        PpnsDeviceClient.connect(group, endpoint, sources.next(), this::received).whenComplete((connected, failure) -> {
            if (failure != null) {
                err.println(installationId + " cannot connect: " + failure);
                reconnectOrStop();
            } else {
                run(connected);
            }
        });
    }

    private void run(PpnsDeviceClient connected) {
        client = connected;
        long pingNanos = options.pingInterval().toNanos();
        ScheduledFuture<?> pings = group.scheduleAtFixedRate(connected::ping, pingNanos, pingNanos, TimeUnit.NANOSECONDS);
        connected.closed().thenRun(() -> {
            pings.cancel(false);
            if (connected.lastPushTime() != null) {
                last = connected.lastPushTime();
            }
            err.println(installationId + " disconnected");
            reconnectOrStop();
        });
        err.println(installationId + " connected from " + connected.localAddress().getAddress().getHostAddress()
                + ", last " + last);
        connected.handshake(installationId, options.applicationId(), last);
        if (stopping) {
            connected.close();
        }
    }

    private void received(String line) {
        if (!line.equals("{}")) {
            out.println(installationId + " " + line);
        }
    }

    private void reconnectOrStop() {
        if (stopping || options.reconnectDelay().isZero()) {
            stopped.complete(null);
        } else {
            try {
                group.schedule(this::start, options.reconnectDelay().toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // The simulator is shutting down.
                stopped.complete(null);
            }
        }
    }

    /** Disconnects for good. */
    void stop() {
        stopping = true;
        PpnsDeviceClient current = client;
        if (current != null) {
            current.close();
        }
    }

    /** Completes when the device has disconnected for good. */
    CompletableFuture<Void> stopped() {
        return stopped;
    }
}
