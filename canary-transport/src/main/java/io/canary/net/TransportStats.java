package io.canary.net;

/**
 * Counters of a {@link SocketTransport} since it started: what went out, what came in, and what
 * was refused. Immutable snapshot.
 *
 * @param messagesSent messages written to a peer's connection
 * @param messagesReceived messages decoded and handed to the receiver
 * @param messagesDropped messages not sent: peer queue full, unknown peer, unencodable, closed, or expired
 * @param malformedFrames connections closed because a frame was malformed, truncated or too large
 * @param rejectedConnections handshakes refused, by either side (wrong cluster, unknown node, version)
 * @param acceptedConnections inbound connections that completed the handshake
 * @param largestFrameBytes the largest payload buffer allocated for one inbound frame
 * @param largestDecodeBytes the largest decode budget charge of one inbound frame
 * @param messagesExpired of the dropped, those queued longer than the max queue age for an unreachable peer
 * @param corruptFrames of the malformed, frames whose CRC32C checksum did not match (damaged in transit)
 * @param forgedFrames of the malformed, frames on an authenticated connection whose authentication tag did not
 *     match (altered in flight, replayed or reordered)
 * @param stalledConnections outbound connections closed (and dialled again) because their unsent bytes made no
 *     progress for the write-stall timeout: the peer stopped reading (NIO model)
 */
public record TransportStats(long messagesSent, long messagesReceived, long messagesDropped, long malformedFrames,
                             long rejectedConnections, long acceptedConnections, long largestFrameBytes,
                             long largestDecodeBytes, long messagesExpired, long corruptFrames,
                             long forgedFrames, long stalledConnections) {
}
