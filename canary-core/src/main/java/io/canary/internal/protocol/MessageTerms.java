package io.canary.internal.protocol;

import io.canary.transport.Message;

/** Which messages belong to the protocol's terms, and the term each carries: what fencing compares. */
final class MessageTerms {

    private MessageTerms() {
    }

    /** The term a protocol message carries, or -1 for messages outside the protocol (health, forwarding). */
    static long of(Message m) {
        if (m instanceof Message.Prepare p) {
            return p.term();
        } else if (m instanceof Message.Vote v) {
            return v.term();
        } else if (m instanceof Message.Commit c) {
            return c.term();
        } else if (m instanceof Message.CommitAck a) {
            return a.term();
        } else if (m instanceof Message.Abort a) {
            return a.term();
        } else if (m instanceof Message.AbortAck a) {
            return a.term();
        } else if (m instanceof Message.DecisionQuery q) {
            return q.term();
        } else if (m instanceof Message.Heartbeat h) {
            return h.term();
        } else if (m instanceof Message.StateSync s) {
            return s.term();
        } else if (m instanceof Message.RequestVote r) {
            return r.term();
        } else if (m instanceof Message.RequestVoteReply r) {
            return r.term();
        }
        return -1;
    }
}
