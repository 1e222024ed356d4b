package org.p2pdns.node.control;

/**
 * The result of a publish, update, lapse or accept-owner request.
 *
 * @param name     the canonical name (trailing dot)
 * @param status   how it ended
 * @param sequence the sequence number of the record published (0 if none)
 * @param replicas how many peers acknowledged the store
 * @param detail   a human-readable explanation (empty when PUBLISHED)
 */
public record PublishReply(String name, PublishStatus status, long sequence, int replicas, String detail) {

    public PublishReply {
        detail = detail == null ? "" : detail;
    }

    /** How a publish ended. */
    public enum PublishStatus {
        /** Signed and stored by at least one peer. */
        PUBLISHED,
        /** Signed and kept by this node, but no peer accepted it yet: the node keeps republishing it. */
        STORED_LOCALLY,
        /** The name is held by another owner key (or the update would go back in sequence). */
        REFUSED,
        /** The name or the record set is not valid (bad name, too large, unsupported type). */
        INVALID,
        /** Lapsed: the node no longer republishes the name. */
        LAPSED,
        /** The node does not own the name (nothing to lapse). */
        NOT_OWNED,
        /** The remembered owner key was forgotten: the next resolution trusts the owner it finds. */
        OWNER_ACCEPTED,
        /** Something else failed; see detail. */
        FAILED
    }
}
