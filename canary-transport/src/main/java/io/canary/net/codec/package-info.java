/**
 * The wire format: {@link io.canary.net.codec.WireFormat} (frame layout and limits),
 * {@link io.canary.net.codec.MessageCodec} (every {@link io.canary.transport.Message}),
 * {@link io.canary.net.codec.Hello}. Pure functions over byte arrays, no I/O; decoding validates
 * every length and count against the bytes present and charges what it builds to a budget, so
 * hostile input costs at most the frame limit.
 */
package io.canary.net.codec;
