package io.canary.launcher.proxy;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Trailing headers for Netty's HTTP decoders that cost nothing until a trailer arrives. The decoders
 * give every last piece of a body its own trailers map up front (a header map, its entry table and
 * its head entry: two per proxied exchange, one per side, ~15% of the bytes allocated per request in
 * the profile of BENCHMARKS.md part 3), though only a chunked body can carry trailers and almost none
 * does. These start empty and make the real map (Netty's trailer map, with its validation) on the
 * first write; every read of an empty one answers without making it.
 *
 * <p>Threading: like any Netty header map, the owning connection's event loop.
 */
final class LazyTrailers extends HttpHeaders {
    /** The factory to give a decoder ({@code HttpDecoderConfig.setTrailersFactory}). */
    static final HttpHeadersFactory FACTORY = new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
            return new LazyTrailers();
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return new LazyTrailers();
        }
    };

    private HttpHeaders real;

    private LazyTrailers() {
    }

    private HttpHeaders real() {
        if (real == null) {
            real = DefaultHttpHeadersFactory.trailersFactory().newHeaders();
        }
        return real;
    }

    @Override
    public String get(String name) {
        return real == null ? null : real.get(name);
    }

    @Override
    public Integer getInt(CharSequence name) {
        return real == null ? null : real.getInt(name);
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        return real == null ? defaultValue : real.getInt(name, defaultValue);
    }

    @Override
    public Short getShort(CharSequence name) {
        return real == null ? null : real.getShort(name);
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        return real == null ? defaultValue : real.getShort(name, defaultValue);
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        return real == null ? null : real.getTimeMillis(name);
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        return real == null ? defaultValue : real.getTimeMillis(name, defaultValue);
    }

    @Override
    public List<String> getAll(String name) {
        return real == null ? Collections.emptyList() : real.getAll(name);
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        return real == null ? Collections.emptyList() : real.entries();
    }

    @Override
    public boolean contains(String name) {
        return real != null && real.contains(name);
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        return real == null ? Collections.emptyIterator() : real.iterator();
    }

    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return real == null ? Collections.emptyIterator() : real.iteratorCharSequence();
    }

    @Override
    public boolean isEmpty() {
        return real == null || real.isEmpty();
    }

    @Override
    public int size() {
        return real == null ? 0 : real.size();
    }

    @Override
    public Set<String> names() {
        return real == null ? Collections.emptySet() : real.names();
    }

    @Override
    public HttpHeaders add(String name, Object value) {
        real().add(name, value);
        return this;
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        real().add(name, value);
        return this;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        real().add(name, values);
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        real().addInt(name, value);
        return this;
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        real().addShort(name, value);
        return this;
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        real().set(name, value);
        return this;
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        real().set(name, value);
        return this;
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        real().set(name, values);
        return this;
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        real().setInt(name, value);
        return this;
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        real().setShort(name, value);
        return this;
    }

    @Override
    public HttpHeaders remove(String name) {
        if (real != null) {
            real.remove(name);
        }
        return this;
    }

    @Override
    public HttpHeaders clear() {
        if (real != null) {
            real.clear();
        }
        return this;
    }
}
