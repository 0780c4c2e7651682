package org.parsepush.gateway.fcm;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http2.Http2DataFrame;
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
 * Reads one request's stream: its headers and body, until the stream ends. A stream that
 * closes first (reset by the server, connection lost) fails the answer.
 */
final class ResponseReader extends SimpleChannelInboundHandler<Http2StreamFrame> {

    /** FCM's answers are a few hundred bytes; anything near this is not FCM. */
    static final int MAX_BODY = 1 << 20;

    private final CompletableFuture<Http2Response> answer;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream(256);
    private final List<Map.Entry<String, String>> headers = new ArrayList<>();
    private int status = -1;

    ResponseReader(CompletableFuture<Http2Response> answer) {
        this.answer = answer;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) throws IOException {
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
            ctx.close();
        }
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

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        answer.completeExceptionally(new IOException("the HTTP/2 stream to FCM closed before the answer"
                + " (reset by the server or connection lost)"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        answer.completeExceptionally(cause instanceof IOException ? cause : new IOException(cause));
        ctx.close();
    }
}
