package io.canary.launcher.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * What {@link WireDecoder} passes up a connection of the Netty engine: a message head
 * ({@link WireHead}), a piece of a body as it was framed on the wire ({@link Piece}), or a message
 * that could not be read ({@link Failure}). Bodies are never re-framed on the way through: a
 * piece's bytes are the wire's bytes (chunk sizes and trailers included), so the other side gets
 * them as they came.
 */
sealed interface Wire permits WireHead, Wire.Piece, Wire.Failure {

    /** Releases what this holds (a piece's buffer); nothing for the others. */
    default void release() {
    }

    /**
     * A run of a body's bytes, exactly as framed on the wire (or, for a client that knows no
     * chunks, only the data: {@link WireDecoder#stripChunks}).
     *
     * @param bytes the bytes (the receiver owns them: write or release)
     * @param data how many of them are body data (framing excluded): what the body limit counts
     * @param last whether the message ends with these bytes
     */
    record Piece(ByteBuf bytes, long data, boolean last) implements Wire {
        /** The end of a message without (more) bytes: a body-less request or answer. */
        static final Piece EMPTY_LAST = new Piece(Unpooled.EMPTY_BUFFER, 0, true);

        @Override
        public void release() {
            bytes.release();
        }
    }

    /**
     * A head or body that could not be read; nothing more is read from the connection.
     *
     * @param status the status the proxy answers a client with (400, 431, 505; 502 for an upstream)
     */
    record Failure(int status, String message) implements Wire {
    }
}
