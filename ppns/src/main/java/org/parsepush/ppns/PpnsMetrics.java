package org.parsepush.ppns;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The endpoint's meters. Every tag value is registered up front, so dashboards and alerts
 * see zeros instead of missing series.
 */
final class PpnsMetrics {

    private final MeterRegistry registry;
    private final Map<HandshakeOutcome, Counter> handshakes = new EnumMap<>(HandshakeOutcome.class);
    private final Map<DisconnectReason, Counter> disconnects = new EnumMap<>(DisconnectReason.class);
    private final Counter pings;
    private final Counter linesWritten;
    private final Counter linesNotWritable;
    private final Counter bytesIn;
    private final Counter bytesOut;
    private List<Meter> gauges = List.of();

    PpnsMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (HandshakeOutcome outcome : HandshakeOutcome.values()) {
            handshakes.put(outcome, Counter.builder("ppns.handshakes")
                    .description("Connections by how their handshake ended")
                    .tag("outcome", outcome.tag)
                    .register(registry));
        }
        for (DisconnectReason reason : DisconnectReason.values()) {
            disconnects.put(reason, Counter.builder("ppns.disconnects")
                    .description("Admitted connections that ended, by reason")
                    .tag("reason", reason.tag)
                    .register(registry));
        }
        pings = Counter.builder("ppns.pings").description("Keep-alives answered").register(registry);
        linesWritten = Counter.builder("ppns.lines.written")
                .description("Lines the gateway sent to devices (pushes, replays); keep-alives not included")
                .register(registry);
        linesNotWritable = Counter.builder("ppns.lines.refused")
                .description("Lines not sent because the device was not reading what it had been sent")
                .register(registry);
        bytesIn = bytes("in");
        bytesOut = bytes("out");
    }

    private Counter bytes(String direction) {
        return Counter.builder("ppns.bytes")
                .description("Bytes on the wire, TLS included")
                .baseUnit("bytes")
                .tag("direction", direction)
                .register(registry);
    }

    /** Follows the registry and the handshake limit of a running server. */
    void bindGauges(ConnectionRegistry connections, HandshakeLimit limit) {
        gauges = List.of(
                Gauge.builder("ppns.connections.open", connections, ConnectionRegistry::count)
                        .description("Admitted device connections")
                        .register(registry),
                Gauge.builder("ppns.handshakes.pending", limit, HandshakeLimit::inUse)
                        .description("Connections between accept and admission")
                        .register(registry));
    }

    /** Drops the gauges of a stopped server, which would otherwise report its last state. */
    void unbindGauges() {
        gauges.forEach(registry::remove);
        gauges = List.of();
    }

    void handshake(HandshakeOutcome outcome) {
        handshakes.get(outcome).increment();
    }

    void disconnect(DisconnectReason reason) {
        disconnects.get(reason).increment();
    }

    void pingAnswered() {
        pings.increment();
    }

    void lineWritten() {
        linesWritten.increment();
    }

    void lineNotWritable() {
        linesNotWritable.increment();
    }

    void bytesIn(long count) {
        bytesIn.increment(count);
    }

    void bytesOut(long count) {
        bytesOut.increment(count);
    }
}
