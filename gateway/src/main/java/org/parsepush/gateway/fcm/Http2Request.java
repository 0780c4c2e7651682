package org.parsepush.gateway.fcm;

import com.google.api.client.http.LowLevelHttpRequest;
import com.google.api.client.http.LowLevelHttpResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One request of the Admin SDK as one HTTP/2 stream. The SDK's API is blocking, so
 * {@link #execute()} waits for the answer, at most the read timeout the SDK set.
 */
final class Http2Request extends LowLevelHttpRequest {

    /** Connection-specific headers HTTP/2 forbids (RFC 9113, 8.2.2); the transport handles them. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "transfer-encoding", "upgrade", "host", "content-length");

    private final Http2Connections connections;
    private final Http2Headers headers = new DefaultHttp2Headers();
    private int readTimeoutMillis = 20_000;

    Http2Request(Http2Connections connections, String method, String scheme, String authority, String path) {
        this.connections = connections;
        headers.method(method).scheme(scheme).authority(authority).path(path);
    }

    @Override
    public void addHeader(String name, String value) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (!HOP_BY_HOP.contains(lower)) {
            headers.add(lower, value);
        }
    }

    @Override
    public void setTimeout(int connectTimeout, int readTimeout) {
        this.readTimeoutMillis = readTimeout;
    }

    @Override
    public LowLevelHttpResponse execute() throws IOException {
        ResponseReader reader = new ResponseReader();
        connections.send(headers, body(), reader);
        return await(reader);
    }

    /** The SDK's content, serialised once straight into the buffer the stream sends. */
    private ByteBuf body() throws IOException {
        if (getStreamingContent() == null) {
            return Unpooled.EMPTY_BUFFER;
        }
        ByteBufOutputStream out = new ByteBufOutputStream(Unpooled.buffer(512));
        getStreamingContent().writeTo(out);
        if (getContentType() != null) {
            headers.set("content-type", getContentType());
        }
        if (getContentEncoding() != null) {
            headers.set("content-encoding", getContentEncoding());
        }
        headers.setInt("content-length", out.writtenBytes());
        return out.buffer();
    }

    private Http2Response await(ResponseReader reader) throws IOException {
        try {
            return readTimeoutMillis > 0 ? reader.answer().get(readTimeoutMillis, TimeUnit.MILLISECONDS)
                    : reader.answer().get();
        } catch (TimeoutException e) {
            reader.abandon();
            throw new SocketTimeoutException("FCM did not answer within " + readTimeoutMillis + " ms");
        } catch (InterruptedException e) {
            reader.abandon();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for FCM");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }
}
