package org.p2pdns.node.wire;

import java.util.Objects;
import org.p2pdns.node.dht.StoreOutcome;

/** STORE_RESULT: the reply to STORE, carrying the {@link StoreOutcome} by its wire code. */
public record StoreResultMessage(long requestId, StoreOutcome outcome) implements DhtMessage {
    public StoreResultMessage {
        Objects.requireNonNull(outcome, "outcome");
    }

    @Override
    public MessageType type() {
        return MessageType.STORE_RESULT;
    }
}
