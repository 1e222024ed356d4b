package org.p2pdns.node.api;

import java.util.concurrent.CompletableFuture;

/**
 * Resolves overlay names through the DHT: what the DNS bridge, the control API and {@code p2p --query} call.
 *
 * <p>{@code name} may be any name in the overlay zone ({@code www.example.p2p}); the resolver maps it to the registered
 * name that holds its record set (the label directly under the overlay TLD) and returns that record set. The future
 * always completes (never exceptionally for network reasons), within the resolver's own time limit.
 */
public interface NameResolver {
    CompletableFuture<Resolution> resolve(String name);
}
