package org.parsepush.gateway.fcm;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One request's answer: its headers and body, read from its stream's frames until the stream
 * ends. The frames arrive on the connection's event loop ({@link Http2Streams}); the
 * request's own thread waits for {@link #answer()} and may {@link #abandon()} it.
 */
final class ResponseReader {

    /** FCM's answers are a few hundred bytes; anything near this is not FCM. */
    static final int MAX_BODY = 1 << 20;

    private final CompletableFuture<Http2Response> answer = new CompletableFuture<>();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream(256);
    private final List<Map.Entry<String, String>> headers = new ArrayList<>();
    private int status = -1;
    /** Set on the event loop when sent, read by an abandoning thread: see {@link #abandon()}. */
    private volatile Http2Streams sentOn;
    private volatile boolean abandoned;
    /** The event loop's only. */
    private Http2FrameStream stream;

    CompletableFuture<Http2Response> answer() {
        return answer;
    }

    /**
     * Reads one frame of the answer.
     *
     * @return true when the answer is whole (and {@link #answer()} complete)
     * @throws IOException when the answer cannot be FCM's
     */
    boolean read(Http2StreamFrame frame) throws IOException {
        boolean end = false;
        if (frame instanceof Http2HeadersFrame headersFrame) {
            readHeaders(headersFrame.headers());
            end = headersFrame.isEndStream();
        } else if (frame instanceof Http2DataFrame data) {
            readBody(data.content());
            end = data.isEndStream();
        }
        if (end) {
            answer.complete(new Http2Response(status, headers, body.toByteArray()));
        }
        return end;
    }

    private void readHeaders(Http2Headers frame) throws IOException {
        if (status < 0 || status / 100 == 1) {
            // The first block is the answer's; 1xx blocks are interim and replaced by the next.
            headers.clear();
            CharSequence code = frame.status();
            if (code == null) {
                throw new IOException("FCM's answer has no :status");
            }
            status = Integer.parseInt(code.toString());
        }
        frame.forEach(header -> {
            if (header.getKey().charAt(0) != ':') {
                headers.add(new AbstractMap.SimpleImmutableEntry<>(header.getKey().toString(),
                        header.getValue().toString()));
            }
        });
    }

    private void readBody(ByteBuf content) throws IOException {
        if (body.size() + content.readableBytes() > MAX_BODY) {
            throw new IOException("FCM's answer is over " + MAX_BODY + " bytes");
        }
        content.readBytes(body, content.readableBytes());
    }

    void fail(IOException error) {
        answer.completeExceptionally(error);
    }

    /**
     * Gives up on the answer: the stream is reset if it was sent, and not sent if it was not
     * yet. {@link #sentOn} is written before {@link #abandoned} is read on the event loop, and
     * the other way round here, so at least one side sees the other.
     */
    void abandon() {
        abandoned = true;
        Http2Streams streams = sentOn;
        if (streams != null) {
            streams.reset(this);
        }
    }

    boolean abandoned() {
        return abandoned;
    }

    void sentOn(Http2Streams streams) {
        sentOn = streams;
    }

    Http2FrameStream stream() {
        return stream;
    }

    void stream(Http2FrameStream stream) {
        this.stream = stream;
    }
}
