package org.parsepush.ppns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.AttributeKey;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One admitted device: where pushes for its installation go while it is online.
 * Thread-safe: {@link #send} may be called from any thread.
 */
public final class PpnsConnection {

    /**
     * What may wait for a device beyond the kernel's socket buffer: about 32 lines of the
     * longest push. A device that stops reading (an embedded app that stopped polling) would
     * otherwise make the server hold every push for it in memory; past this it gets none
     * until it reads again, and finds them in its inbox when it reconnects.
     */
    static final WriteBufferWaterMark OUTBOUND_LIMIT = new WriteBufferWaterMark(16 * 1024, 32 * 1024);

    private static final AttributeKey<PpnsConnection> KEY = AttributeKey.valueOf(PpnsConnection.class, "connection");

    private final Channel channel;
    private final Handshake handshake;
    private final Instant connectedAt;
    private final PpnsMetrics metrics;
    private final AtomicReference<DisconnectReason> closeReason = new AtomicReference<>();
    /** {@link System#nanoTime()} when the device last said something; read by the {@link IdleSweeper}. */
    private volatile long lastHeardNanos = System.nanoTime();

    PpnsConnection(Channel channel, Handshake handshake, Instant connectedAt, PpnsMetrics metrics) {
        this.channel = channel;
        this.handshake = handshake;
        this.connectedAt = connectedAt;
        this.metrics = metrics;
        channel.attr(KEY).set(this);
    }

    /** Closes {@code channel} for {@code reason}, through its connection once it has one. */
    static void close(Channel channel, DisconnectReason reason) {
        PpnsConnection connection = channel.attr(KEY).get();
        if (connection == null) {
            channel.close();
        } else {
            connection.close(reason);
        }
    }

    /** Notes that the device on {@code channel} said something, once it is admitted. */
    static void heard(Channel channel) {
        PpnsConnection connection = channel.attr(KEY).get();
        if (connection != null) {
            connection.lastHeardNanos = System.nanoTime();
        }
    }

    long lastHeardNanos() {
        return lastHeardNanos;
    }

    /** The device's installation id, lower-cased. */
    public String installationId() {
        return handshake.installationId();
    }

    /** The Parse application id the device connected for. */
    public String applicationId() {
        return handshake.applicationId();
    }

    /** Everything the device said when it connected, e.g. {@code last} for the replay. */
    public Handshake handshake() {
        return handshake;
    }

    /** The device's address as the server sees it (a load balancer's, behind one). */
    public SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    /** When the device was admitted. */
    public Instant connectedAt() {
        return connectedAt;
    }

    /** Whether the device reads what it is sent: false while {@link #send} refuses lines for it. */
    public boolean isReading() {
        return channel.isWritable();
    }

    /** Whether lines can still reach the device. */
    public boolean isOpen() {
        return channel.isActive();
    }

    /**
     * Sends one line, e.g. a {@link PushLine#text()}, and flushes it on its own: the Linux SDK
     * handles only the first line of a TLS record, so lines are never batched together.
     *
     * @param line compact JSON without line end: no {@code \r} or {@code \n}, no leading space
     * @return completes when the line is written to the socket; fails if the connection is
     *         closed, or at once with {@link DeviceNotReadingException} while the device is not
     *         reading what was already sent to it
     * @throws IllegalArgumentException if {@code line} would not reach the device as one line
     */
    public CompletableFuture<Void> send(String line) {
        requireOneLine(line);
        if (!channel.isWritable() && channel.isActive()) {
            metrics.lineNotWritable();
            return CompletableFuture.failedFuture(new DeviceNotReadingException(this));
        }
        ByteBuf bytes = ByteBufUtil.writeUtf8(channel.alloc(), line + "\n");
        CompletableFuture<Void> written = new CompletableFuture<>();
        channel.writeAndFlush(bytes).addListener((ChannelFuture future) -> {
            if (future.isSuccess()) {
                metrics.lineWritten();
                written.complete(null);
            } else {
                written.completeExceptionally(future.cause());
            }
        });
        return written;
    }

    /** Sends a push; see {@link #send(String)}. */
    public CompletableFuture<Void> send(PushLine push) {
        return send(push.text());
    }

    /** Disconnects the device, e.g. because its installation was deleted. */
    public CompletableFuture<Void> close() {
        return close(DisconnectReason.GATEWAY);
    }

    CompletableFuture<Void> close(DisconnectReason reason) {
        closeReason.compareAndSet(null, reason);
        CompletableFuture<Void> closed = new CompletableFuture<>();
        channel.close().addListener(future -> closed.complete(null));
        return closed;
    }

    /** The first reason given for closing; the device's own doing when none was. */
    DisconnectReason closeReason() {
        DisconnectReason reason = closeReason.get();
        return reason == null ? DisconnectReason.DEVICE : reason;
    }

    Channel channel() {
        return channel;
    }

    private static void requireOneLine(String line) {
        if (line.isEmpty() || Character.isWhitespace(line.charAt(0))) {
            throw new IllegalArgumentException("a line must start with its JSON, not a space");
        }
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a line must not contain a line break");
        }
    }

    @Override
    public String toString() {
        return "PpnsConnection[" + applicationId() + "/" + installationId() + " from " + remoteAddress() + "]";
    }
}
