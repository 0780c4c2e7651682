package org.parsepush.ppns;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the PPNS endpoint listens and how patient it is with devices. Build with
 * {@link #builder()}; every value but the choice between TLS and plain TCP has a default.
 *
 * @param host                 the address to bind; {@code 127.0.0.1} by default, {@code 0.0.0.0} for all interfaces
 * @param port                 the port to bind; 0 picks a free one ({@link PpnsServer#port()} tells which)
 * @param tls                  the certificate to serve, or null for plain TCP (development, or behind a
 *                             load balancer that terminates TLS)
 * @param maxLineBytes         the longest line a device may send; a longer one closes the connection
 * @param handshakeTimeout     how long a connection may take from accept to admission
 * @param idleTimeout          how long a device may stay silent; well above the devices' 15-minute ping
 * @param maxPendingHandshakes connections allowed between accept and admission at once; more are closed
 * @param maxConnectionsPerAddress connections open at once from one source address (0: no bound); more are closed
 * @param nativeTransport      use Linux epoll when it is available, NIO otherwise
 * @param openSsl              serve TLS with OpenSSL when its native library loads, the JDK's TLS otherwise
 * @param meterRegistry        where the {@code ppns.*} meters go
 */
public record PpnsSettings(String host, int port, PpnsTls tls, int maxLineBytes, Duration handshakeTimeout,
                           Duration idleTimeout, int maxPendingHandshakes, int maxConnectionsPerAddress,
                           boolean nativeTransport, boolean openSsl, MeterRegistry meterRegistry) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    /** The Linux SDK's line buffer. */
    public static final int DEFAULT_MAX_LINE_BYTES = 2048;
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** Twice the Android SDK's longest ping interval. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(30);
    public static final int DEFAULT_MAX_PENDING_HANDSHAKES = 1024;
    /** Generous: many devices behind one carrier NAT share an address. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 10_000;

    public PpnsSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(meterRegistry, "meterRegistry");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
        }
        if (maxLineBytes < 64) {
            throw new IllegalArgumentException("maxLineBytes must be at least 64, got " + maxLineBytes);
        }
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshakeTimeout must be positive");
        }
        if (idleTimeout.compareTo(handshakeTimeout) <= 0) {
            throw new IllegalArgumentException("idleTimeout must be longer than handshakeTimeout");
        }
        if (maxPendingHandshakes < 1) {
            throw new IllegalArgumentException("maxPendingHandshakes must be positive");
        }
        if (maxConnectionsPerAddress < 0) {
            throw new IllegalArgumentException("maxConnectionsPerAddress must be 0 (no bound) or positive");
        }
    }

    /** A builder with the defaults; {@link Builder#tls} or {@link Builder#plainTcp} must be chosen. */
    public static Builder builder() {
        return new Builder();
    }

    /** Assembles {@link PpnsSettings}; plain TCP is never chosen by omission. */
    public static final class Builder {

        private String host = DEFAULT_HOST;
        private int port;
        private PpnsTls tls;
        private boolean plainTcp;
        private int maxLineBytes = DEFAULT_MAX_LINE_BYTES;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private int maxPendingHandshakes = DEFAULT_MAX_PENDING_HANDSHAKES;
        private int maxConnectionsPerAddress = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
        private boolean nativeTransport = true;
        private boolean openSsl = true;
        private MeterRegistry meterRegistry;

        private Builder() {
        }

        /** The address to bind; {@code 0.0.0.0} for every interface. */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** The port to bind; 0 (the default) picks a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Serves TLS with this PEM certificate chain and PKCS#8 PEM private key. */
        public Builder tls(Path certificateChainFile, Path privateKeyFile) {
            this.tls = new PpnsTls(certificateChainFile, privateKeyFile);
            this.plainTcp = false;
            return this;
        }

        /** Serves plain TCP: for development, or behind a load balancer that terminates TLS. */
        public Builder plainTcp() {
            this.tls = null;
            this.plainTcp = true;
            return this;
        }

        /** The longest line a device may send, line end excluded; at least 64. */
        public Builder maxLineBytes(int maxLineBytes) {
            this.maxLineBytes = maxLineBytes;
            return this;
        }

        /** How long a connection may take from accept to admission, TLS handshake included. */
        public Builder handshakeTimeout(Duration handshakeTimeout) {
            this.handshakeTimeout = handshakeTimeout;
            return this;
        }

        /** How long a device may stay silent before it is disconnected; longer than the handshake timeout. */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        /** Connections allowed between accept and admission at once; a reconnect storm's bound. */
        /** Connections open at once from one source address; 0 for no bound. */
        public Builder maxConnectionsPerAddress(int maxConnectionsPerAddress) {
            this.maxConnectionsPerAddress = maxConnectionsPerAddress;
            return this;
        }

        public Builder maxPendingHandshakes(int maxPendingHandshakes) {
            this.maxPendingHandshakes = maxPendingHandshakes;
            return this;
        }

        /** False forces NIO even where epoll is available, e.g. to rule out the native transport. */
        public Builder nativeTransport(boolean nativeTransport) {
            this.nativeTransport = nativeTransport;
            return this;
        }

        /**
         * False serves TLS with the JDK even where OpenSSL loads: the JDK also offers the
         * AES-CBC suites with SHA-256/384 that BoringSSL dropped, should a device need them.
         */
        public Builder openSsl(boolean openSsl) {
            this.openSsl = openSsl;
            return this;
        }

        /** Where meters go; a private {@link SimpleMeterRegistry} if not set. */
        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = meterRegistry;
            return this;
        }

        /** @throws IllegalStateException if neither TLS nor plain TCP was chosen */
        public PpnsSettings build() {
            if (tls == null && !plainTcp) {
                throw new IllegalStateException("choose tls(certificateChainFile, privateKeyFile) or plainTcp()");
            }
            MeterRegistry registry = meterRegistry == null ? new SimpleMeterRegistry() : meterRegistry;
            return new PpnsSettings(host, port, tls, maxLineBytes, handshakeTimeout, idleTimeout,
                    maxPendingHandshakes, maxConnectionsPerAddress, nativeTransport, openSsl, registry);
        }
    }
}
