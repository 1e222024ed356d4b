package org.p2pdns.node.dht;

/**
 * The result of offering a value to a store (a STORE request, or a value received in a lookup). Each outcome has a
 * fixed wire code, sent back in STORE replies; codes never change meaning once released.
 */
public enum StoreOutcome {
    /** Stored (or the identical value was already held). */
    STORED(0),
    /** The value's signature does not verify. */
    BAD_SIGNATURE(1),
    /** The name is held by another owner key with an unexpired record. */
    WRONG_OWNER(2),
    /** The sequence number is not higher than the one held (a rollback or a replay). */
    OLD_SEQUENCE(3),
    /** The value has expired, or its issue time is too far in the future. */
    EXPIRED(4),
    /** The value exceeds the size cap. */
    TOO_LARGE(5),
    /** The proof of work is missing or too weak. */
    BAD_PROOF_OF_WORK(6),
    /** The value cannot be decoded. */
    MALFORMED(7),
    /** The value does not belong under the key it was stored at (name/key binding). */
    KEY_MISMATCH(8),
    /** The write token is missing, wrong or stale. */
    BAD_TOKEN(9),
    /** The sender's storage quota is used up. */
    QUOTA_EXCEEDED(10),
    /** The sender is sending too fast. */
    RATE_LIMITED(11),
    /** The store is full or failed to persist the value. */
    STORE_FAILED(12);

    private final int code;

    StoreOutcome(int code) {
        this.code = code;
    }

    /** The wire code. */
    public int code() {
        return code;
    }

    /** The outcome for a wire code, or {@code null} if the code is unknown. */
    public static StoreOutcome fromCode(int code) {
        for (StoreOutcome o : values()) {
            if (o.code == code) {
                return o;
            }
        }
        return null;
    }

    public boolean isStored() {
        return this == STORED;
    }
}
