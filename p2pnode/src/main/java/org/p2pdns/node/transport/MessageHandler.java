package org.p2pdns.node.transport;

import org.p2pdns.node.dht.Contact;

/**
 * Receives authenticated messages, on the node's event thread. {@code from} carries the key the session
 * authenticated and the address the message actually came from.
 */
@FunctionalInterface
public interface MessageHandler {
    void onMessage(Contact from, byte[] message);
}
