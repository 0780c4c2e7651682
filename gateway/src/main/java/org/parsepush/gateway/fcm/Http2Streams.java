package org.parsepush.gateway.fcm;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameStreamEvent;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The requests in flight on one HTTP/2 connection, right behind the frame codec: each request
 * is written as a stream of its own and that stream's frames go to its {@link ResponseReader}.
 * A child channel per stream (Netty's multiplex handler) costs a channel, a pipeline and
 * their promises for every message: 7 % of the gateway's samples in a profile of small
 * pushes to Android devices.
 *
 * <p>Everything but {@link #send} and {@link #reset} runs on the connection's event loop, and
 * those two move there, so the open streams need no lock.
 */
final class Http2Streams extends Http2ChannelDuplexHandler {

    private final Promise<Channel> ready;
    private final Map<Http2FrameStream, ResponseReader> open = new HashMap<>();
    private ChannelHandlerContext ctx;

    /** {@code ready} completes on the server's first SETTINGS frame: only then is its stream limit known. */
    Http2Streams(Promise<Channel> ready) {
        this.ready = ready;
    }

    @Override
    protected void handlerAdded0(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Sends one request (headers, then {@code body} unless it is empty); the answer goes to {@code reader}. */
    void send(Http2Headers headers, ByteBuf body, ResponseReader reader) {
        if (!ctx.executor().inEventLoop()) {
            ctx.executor().execute(() -> send(headers, body, reader));
            return;
        }
        reader.sentOn(this);
        if (reader.abandoned() || !ctx.channel().isActive()) {
            body.release();
            reader.fail(new IOException("the connection to FCM closed before the request was sent"));
            return;
        }
        Http2FrameStream stream = newStream();
        reader.stream(stream);
        open.put(stream, reader);
        boolean bodyless = !body.isReadable();
        failOnError(ctx.write(new DefaultHttp2HeadersFrame(headers, bodyless).stream(stream)), stream);
        if (bodyless) {
            body.release();
        } else {
            failOnError(ctx.write(new DefaultHttp2DataFrame(body, true).stream(stream)), stream);
        }
        ctx.flush();
    }

    private void failOnError(ChannelFuture written, Http2FrameStream stream) {
        written.addListener(done -> {
            if (!done.isSuccess()) {
                fail(stream, () -> new IOException("the request could not be sent to FCM: " + done.cause().getMessage(),
                        done.cause()));
            }
        });
    }

    /** Cancels the reader's stream, if it was sent and is still open, so that the server stops working on it. */
    void reset(ResponseReader reader) {
        if (!ctx.executor().inEventLoop()) {
            ctx.executor().execute(() -> reset(reader));
            return;
        }
        Http2FrameStream stream = reader.stream();
        if (stream != null && open.remove(stream) != null) {
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL).stream(stream));
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object frame) {
        try {
            if (frame instanceof Http2SettingsFrame) {
                ready.trySuccess(ctx.channel());
            } else if (frame instanceof Http2ResetFrame reset) {
                fail(reset.stream(),
                        () -> new IOException("FCM reset the stream (HTTP/2 error " + errorName(reset) + ")"));
            } else if (frame instanceof Http2StreamFrame streamFrame) {
                read(streamFrame);
            }
        } finally {
            ReferenceCountUtil.release(frame);
        }
    }

    private static String errorName(Http2ResetFrame reset) {
        Http2Error error = Http2Error.valueOf(reset.errorCode());
        return error == null ? String.valueOf(reset.errorCode()) : error.name();
    }

    private void read(Http2StreamFrame frame) {
        ResponseReader reader = open.get(frame.stream());
        if (reader == null) {
            return;
        }
        try {
            if (reader.read(frame)) {
                open.remove(frame.stream());
            } else if (frame instanceof Http2DataFrame data) {
                // More is coming: hand the stream's window back (a closed stream's comes back by itself).
                ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(data.initialFlowControlledBytes())
                        .stream(frame.stream()));
            }
        } catch (IOException e) {
            open.remove(frame.stream());
            reader.fail(e);
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL).stream(frame.stream()));
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof Http2FrameStreamEvent streamEvent && streamEvent.stream().state() == Http2Stream.State.CLOSED) {
            // Every stream closes, most after their answer was read: the error is made only for one still open.
            fail(streamEvent.stream(), () -> new IOException("the HTTP/2 stream to FCM closed before the answer"));
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2FrameStreamException streamError) {
            fail(streamError.stream(), () -> new IOException(streamError.getMessage(), streamError));
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        var lost = new ArrayList<>(open.values());
        open.clear();
        lost.forEach(reader -> reader.fail(new IOException("the connection to FCM was lost before the answer")));
        ctx.fireChannelInactive();
    }

    private void fail(Http2FrameStream stream, Supplier<IOException> error) {
        ResponseReader reader = open.remove(stream);
        if (reader != null) {
            reader.fail(error.get());
        }
    }
}
