package org.parsepush.gateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The PPNS endpoint for IoT devices. Without certificate files it speaks plain TCP, which
 * suits development and TLS-terminating load balancers; devices in the field expect TLS on
 * port 443.
 */
public final class PpnsConfig {

    private boolean enabled = true;
    private String host = "127.0.0.1";
    private int port = 8253;
    private String certificateChainFile;
    private String privateKeyFile;
    private int maxLineBytes = 2048;
    private int maxPushBytes = 1024;
    private int handshakeTimeoutSeconds = 10;
    private int idleTimeoutMinutes = 30;
    private int maxPendingHandshakes = 1024;
    private int maxConnectionsPerAddress = 10_000;
    private boolean autoRegister;
    private int inboxRetentionDays = 7;
    private int registryRefreshSeconds = 30;
    private int deliveryPollMillis = 200;
    private boolean openSsl = true;

    public boolean enabled() {
        return enabled;
    }

    public Listener listener() {
        return new Listener(host, port);
    }

    /** The PEM certificate chain, or null for plain TCP. */
    public Path certificateChainFile() {
        return certificateChainFile == null ? null : Path.of(certificateChainFile);
    }

    /** The PEM (PKCS#8) private key, or null for plain TCP. */
    public Path privateKeyFile() {
        return privateKeyFile == null ? null : Path.of(privateKeyFile);
    }

    /** The longest line a device may send. */
    public int maxLineBytes() {
        return maxLineBytes;
    }

    /** The longest push line sent; longer pushes fail for PPNS devices (RTOS devices drop them). */
    public int maxPushBytes() {
        return maxPushBytes;
    }

    public Duration handshakeTimeout() {
        return Duration.ofSeconds(handshakeTimeoutSeconds);
    }

    /** Well above the devices' 15-minute ping. */
    public Duration idleTimeout() {
        return Duration.ofMinutes(idleTimeoutMinutes);
    }

    /** Handshakes being admitted at once; more connections are closed at once (reconnect storms). */
    /** Connections open at once from one source address (0: no bound); more are closed at once. */
    public int maxConnectionsPerAddress() {
        return maxConnectionsPerAddress;
    }

    public int maxPendingHandshakes() {
        return maxPendingHandshakes;
    }

    /** Register unknown installations as embedded devices on their first handshake. */
    public boolean autoRegister() {
        return autoRegister;
    }

    /** How long a push without an expiration waits in an offline device's inbox. */
    public Duration inboxRetention() {
        return Duration.ofDays(inboxRetentionDays);
    }

    /** How often this replica refreshes its entries in the shared connection registry. */
    public Duration registryRefresh() {
        return Duration.ofSeconds(registryRefreshSeconds);
    }

    /** Serve TLS with OpenSSL where its native library loads (less memory per device); false forces the JDK's TLS. */
    public boolean openSsl() {
        return openSsl;
    }

    /** How often pushes handed over by other replicas are picked up. */
    public Duration deliveryPoll() {
        return Duration.ofMillis(deliveryPollMillis);
    }

    /** The first-try defaults: a simulator can connect without registering its installation first. */
    void registerDevicesForDevelopment() {
        autoRegister = true;
    }

    void collectProblems(List<String> problems) {
        listener().collectProblems("ppns", problems);
        if ((certificateChainFile == null) != (privateKeyFile == null)) {
            problems.add("ppns.certificateChainFile and ppns.privateKeyFile go together (both for TLS, neither for plain TCP)");
        }
        if (certificateChainFile != null) {
            CredentialFiles.checkReadable("ppns.certificateChainFile", certificateChainFile, problems);
            CredentialFiles.checkReadable("ppns.privateKeyFile", privateKeyFile, problems);
        }
        if (maxConnectionsPerAddress < 0) {
            problems.add("ppns.maxConnectionsPerAddress must be 0 (no bound) or positive, got " + maxConnectionsPerAddress);
        }
        if (maxLineBytes < 128 || maxPushBytes < 128) {
            problems.add("ppns.maxLineBytes and ppns.maxPushBytes must be at least 128");
        }
        if (handshakeTimeoutSeconds < 1 || idleTimeoutMinutes < 1 || maxPendingHandshakes < 1 || inboxRetentionDays < 1
                || registryRefreshSeconds < 1 || deliveryPollMillis < 10) {
            problems.add("ppns timeouts, limits and intervals must be positive");
        }
    }
}
