package org.parsepush.ppns;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection's life until admission: reads the first line as the handshake, asks the
 * gateway, and on acceptance registers the connection and hands over to
 * {@link KeepAliveHandler}. Every other ending (malformed, rejected, too slow, gone) closes
 * the connection; each connection's ending is counted exactly once, here.
 *
 * <p>Lines that arrive while the gateway decides (the Linux SDK sends {@code {}} right
 * after its handshake) wait and are handled after acceptance. Reading pauses meanwhile, so
 * a device cannot pile up lines in the server's memory.
 */
final class HandshakeHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(HandshakeHandler.class);
    /** More than a device has reason to send before it is answered. */
    private static final int MAX_EARLY_LINES = 16;

    private final DeviceAdmission admission;
    private final ConnectionRegistry registry;
    private final KeepAliveHandler keepAlive;
    private final HandshakeLimit limit;
    private final PpnsMetrics metrics;
    private final Duration timeout;
    private final Queue<String> earlyLines = new ArrayDeque<>();
    private ScheduledFuture<?> timer;
    private boolean admitting;
    private boolean decided;
    private boolean slotReleased;

    HandshakeHandler(DeviceAdmission admission, ConnectionRegistry registry, KeepAliveHandler keepAlive,
                     HandshakeLimit limit, PpnsMetrics metrics, Duration timeout) {
        this.admission = admission;
        this.registry = registry;
        this.keepAlive = keepAlive;
        this.limit = limit;
        this.metrics = metrics;
        this.timeout = timeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(() -> fail(ctx, HandshakeOutcome.TIMEOUT),
                timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseSlot();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        String line = (String) msg;
        if (decided) {
            return;
        }
        if (admitting) {
            holdUntilAdmitted(ctx, line);
        } else if (!line.isBlank()) {
            readHandshake(ctx, line);
        }
    }

    private void holdUntilAdmitted(ChannelHandlerContext ctx, String line) {
        if (earlyLines.size() == MAX_EARLY_LINES) {
            fail(ctx, HandshakeOutcome.MALFORMED);
        } else {
            earlyLines.add(line);
        }
    }

    private void readHandshake(ChannelHandlerContext ctx, String line) {
        Handshake handshake;
        try {
            handshake = HandshakeParser.parse(line);
        } catch (MalformedHandshakeException e) {
            log.debug("malformed handshake from {}: {}", ctx.channel().remoteAddress(), e.getMessage());
            fail(ctx, HandshakeOutcome.MALFORMED);
            return;
        }
        admitting = true;
        ctx.channel().config().setAutoRead(false);
        ask(handshake).whenCompleteAsync((answer, failure) -> decide(ctx, handshake, answer, failure), ctx.executor());
    }

    /** The gateway's decision; its bugs become a failed decision rather than a stuck connection. */
    private CompletableFuture<Admission> ask(Handshake handshake) {
        try {
            CompletableFuture<Admission> decision = admission.admit(handshake);
            return decision != null ? decision
                    : CompletableFuture.failedFuture(new NullPointerException("admission returned no future"));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void decide(ChannelHandlerContext ctx, Handshake handshake, Admission answer, Throwable failure) {
        if (decided) {
            return;
        }
        if (failure != null || answer == null) {
            log.warn("admission of {} failed; disconnecting it", handshake.installationId(), failure);
            fail(ctx, HandshakeOutcome.ADMISSION_FAILED);
        } else if (!answer.accepted()) {
            log.debug("rejected {} of app {}: {}", handshake.installationId(), handshake.applicationId(),
                    answer.rejection());
            fail(ctx, HandshakeOutcome.of(answer.rejection()));
        } else {
            accept(ctx, handshake);
        }
    }

    private void accept(ChannelHandlerContext ctx, Handshake handshake) {
        end(HandshakeOutcome.ACCEPTED);
        PpnsConnection connection = new PpnsConnection(ctx.channel(), handshake, Instant.now(), metrics);
        ctx.pipeline().addAfter(ctx.name(), "keep-alive", keepAlive);
        registry.register(connection);
        while (!earlyLines.isEmpty()) {
            ctx.fireChannelRead(earlyLines.remove());
        }
        ctx.pipeline().remove(this);
        ctx.channel().config().setAutoRead(true);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!decided) {
            end(HandshakeOutcome.ABANDONED);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent tls && !tls.isSuccess()) {
            log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), tls.cause().toString());
            fail(ctx, HandshakeOutcome.TLS_FAILED);
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            fail(ctx, HandshakeOutcome.LINE_TOO_LONG);
        } else if (cause instanceof SSLException || cause instanceof DecoderException
                && cause.getCause() instanceof SSLException) {
            fail(ctx, HandshakeOutcome.TLS_FAILED);
        } else if (cause instanceof IOException) {
            fail(ctx, HandshakeOutcome.ABANDONED);
        } else {
            log.warn("closing {} after an unexpected failure", ctx.channel(), cause);
            fail(ctx, HandshakeOutcome.ERROR);
        }
    }

    private void fail(ChannelHandlerContext ctx, HandshakeOutcome outcome) {
        if (decided) {
            return;
        }
        end(outcome);
        ctx.close();
    }

    /** Counts the outcome and frees the slot, so the next device in a storm can start. */
    private void end(HandshakeOutcome outcome) {
        decided = true;
        metrics.handshake(outcome);
        releaseSlot();
    }

    private void releaseSlot() {
        if (!slotReleased) {
            slotReleased = true;
            limit.release();
            timer.cancel(false);
        }
    }
}
