package org.p2pdns.node.time;

/** A handle to a scheduled task; cancelling an already run or cancelled task does nothing. */
@FunctionalInterface
public interface Cancellable {
    void cancel();
}
