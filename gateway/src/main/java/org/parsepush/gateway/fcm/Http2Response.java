package org.parsepush.gateway.fcm;

import com.google.api.client.http.LowLevelHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/** A whole HTTP/2 answer as the Admin SDK reads it: status, headers (no pseudo-headers) and body. */
final class Http2Response extends LowLevelHttpResponse {

    private final int status;
    private final List<Map.Entry<String, String>> headers;
    private final byte[] body;

    Http2Response(int status, List<Map.Entry<String, String>> headers, byte[] body) {
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    @Override
    public InputStream getContent() {
        return new ByteArrayInputStream(body);
    }

    @Override
    public String getContentEncoding() {
        return header("content-encoding");
    }

    @Override
    public long getContentLength() {
        return body.length;
    }

    @Override
    public String getContentType() {
        return header("content-type");
    }

    @Override
    public String getStatusLine() {
        return "HTTP/2 " + status + " " + getReasonPhrase();
    }

    @Override
    public int getStatusCode() {
        return status;
    }

    /** HTTP/2 carries no reason phrase; the standard one for the code stands in. */
    @Override
    public String getReasonPhrase() {
        return HttpResponseStatus.valueOf(status).reasonPhrase();
    }

    @Override
    public int getHeaderCount() {
        return headers.size();
    }

    @Override
    public String getHeaderName(int index) {
        return headers.get(index).getKey();
    }

    @Override
    public String getHeaderValue(int index) {
        return headers.get(index).getValue();
    }

    private String header(String name) {
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equals(name)) {
                return header.getValue();
            }
        }
        return null;
    }
}
