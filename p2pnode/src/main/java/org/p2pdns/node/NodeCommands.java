package org.p2pdns.node;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.p2pdns.node.config.HostPort;
import org.p2pdns.node.control.NodeStatus;
import org.p2pdns.node.control.PublishReply;
import org.p2pdns.node.control.PublishReply.PublishStatus;
import org.p2pdns.node.dht.StoreOutcome;
import org.p2pdns.node.record.InvalidNameException;
import org.p2pdns.node.record.OverlayName;
import org.p2pdns.node.record.OwnerKey;
import org.p2pdns.node.record.RecordCodec;
import org.p2pdns.node.record.RecordFormatException;
import org.p2pdns.node.record.RecordTooLargeException;
import org.p2pdns.node.record.SignedRecord;
import org.p2pdns.node.resolve.PublishResult;

/**
 * What the control API asks of a {@link P2PNode}: publish, lapse, accept-owner and status, mapped to the control API's
 * types.
 */
final class NodeCommands {

    /** The owner key used for a name registered without naming one. */
    static final String DEFAULT_ALIAS = "default";

    private final P2PNode node;

    NodeCommands(P2PNode node) {
        this.node = node;
    }

    CompletableFuture<PublishReply> publish(String name, List<org.xbill.DNS.Record> records, long ttlSeconds,
                                            String alias) {
        String registered;
        OwnerKey key;
        try {
            registered = OverlayName.parse(name, node.config().network().tld()).registered();
            key = ownerKey(registered, alias);
        } catch (InvalidNameException e) {
            return done(new PublishReply(name, PublishStatus.INVALID, 0, 0, e.getMessage()));
        } catch (IOException e) {
            return done(new PublishReply(name, PublishStatus.FAILED, 0, 0, "owner key: " + e.getMessage()));
        }
        return node.publisher().publish(registered, records, Duration.ofSeconds(ttlSeconds), key,
                        (attempts, expected) -> node.options().listener().proofOfWork("name claim " + registered,
                                attempts, expected))
                .handle((r, e) -> e == null ? reply(registered + ".", r) : failure(registered + ".", e));
    }

    /** The key for {@code registered}: the named alias, else the key of the record this node owns, else "default". */
    private OwnerKey ownerKey(String registered, String alias) throws IOException {
        if (alias != null) {
            return node.keyring().load(alias);
        }
        Optional<byte[]> owned = node.store().owned(registered);
        if (owned.isPresent()) {
            try {
                SignedRecord r = RecordCodec.decode(owned.get());
                Optional<OwnerKey> k = node.keyring().findByPublicKey(r.ownerKey());
                if (k.isPresent()) {
                    return k.get();
                }
                throw new IOException(registered + " is owned by a key that is not in owner-keys/ any more;"
                        + " import it (p2p keys import) to update the name");
            } catch (RecordFormatException e) {
                throw new IOException("the stored record of " + registered + " is unreadable: " + e.getMessage(), e);
            }
        }
        try {
            return node.keyring().load(DEFAULT_ALIAS);
        } catch (NoSuchFileException e) {
            try {
                node.keyring().generate(DEFAULT_ALIAS);
            } catch (FileAlreadyExistsException raced) {
                // another request created it first
            }
            return node.keyring().load(DEFAULT_ALIAS);
        }
    }

    private static PublishReply reply(String name, PublishResult r) {
        long seq = r.record().sequence();
        if (r.refused().containsKey(StoreOutcome.WRONG_OWNER)) {
            return new PublishReply(name, PublishStatus.REFUSED, seq, r.acks(),
                    "the name is held by another owner key (" + r.refused() + ")");
        }
        if (r.refused().containsKey(StoreOutcome.OLD_SEQUENCE) && r.acks() == 0) {
            return new PublishReply(name, PublishStatus.REFUSED, seq, 0,
                    "the network holds a newer record for this name (" + r.refused() + ")");
        }
        if (r.acks() == 0) {
            return new PublishReply(name, PublishStatus.STORED_LOCALLY, seq, 0,
                    r.refused().isEmpty() ? "no peer reachable" : "refused: " + r.refused());
        }
        return new PublishReply(name, PublishStatus.PUBLISHED, seq, r.acks(),
                r.refused().isEmpty() ? "" : "some peers refused it: " + r.refused());
    }

    private static PublishReply failure(String name, Throwable e) {
        Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
        if (c instanceof InvalidNameException || c instanceof RecordTooLargeException
                || c instanceof IllegalArgumentException) {
            return new PublishReply(name, PublishStatus.INVALID, 0, 0, m);
        }
        return new PublishReply(name, PublishStatus.FAILED, 0, 0, m);
    }

    CompletableFuture<PublishReply> lapse(String name) {
        CompletableFuture<PublishReply> f = new CompletableFuture<>();
        node.scheduler().execute(() -> {
            try {
                String registered = OverlayName.parse(name, node.config().network().tld()).registered();
                boolean owned = node.publisher().lapse(registered);
                f.complete(owned
                        ? new PublishReply(registered + ".", PublishStatus.LAPSED, 0, 0, "")
                        : new PublishReply(registered + ".", PublishStatus.NOT_OWNED, 0, 0,
                                "this node does not publish " + registered));
            } catch (InvalidNameException e) {
                f.complete(new PublishReply(name, PublishStatus.INVALID, 0, 0, e.getMessage()));
            } catch (RuntimeException e) {
                f.complete(new PublishReply(name, PublishStatus.FAILED, 0, 0, String.valueOf(e.getMessage())));
            }
        });
        return f;
    }

    CompletableFuture<PublishReply> acceptOwner(String name) {
        CompletableFuture<PublishReply> f = new CompletableFuture<>();
        node.scheduler().execute(() -> {
            try {
                String registered = OverlayName.parse(name, node.config().network().tld()).registered();
                node.recordResolver().acceptNewOwner(registered);
                f.complete(new PublishReply(registered + ".", PublishStatus.OWNER_ACCEPTED, 0, 0, ""));
            } catch (InvalidNameException e) {
                f.complete(new PublishReply(name, PublishStatus.INVALID, 0, 0, e.getMessage()));
            } catch (RuntimeException e) {
                f.complete(new PublishReply(name, PublishStatus.FAILED, 0, 0, String.valueOf(e.getMessage())));
            }
        });
        return f;
    }

    CompletableFuture<NodeStatus> status() {
        CompletableFuture<NodeStatus> f = new CompletableFuture<>();
        node.scheduler().execute(() -> {
            try {
                var nat = node.nat();
                List<String> intros = new ArrayList<>();
                for (HostPort h : node.config().intro()) {
                    intros.add(h.toString());
                }
                var params = node.config().network();
                f.complete(new NodeStatus(node.options().version(), node.identity().id().toHex(),
                        P2PNode.hostPort(node.udpAddress()),
                        nat == null ? "" : P2PNode.hostPort(nat.reflexive()),
                        nat == null ? "unknown (no introduction server)" : nat.mapping().name().toLowerCase(
                                java.util.Locale.ROOT).replace('_', '-'),
                        node.secure().peerCount(), node.dht().routingTable().size(), node.store().values().size(),
                        node.publisher().ownedNames(),
                        node.bridgeAddress() == null ? "" : P2PNode.hostPort(node.bridgeAddress()), intros,
                        (node.scheduler().nowMillis() - node.startedAtMillis()) / 1000,
                        "tld " + params.tld() + ", node-id proof of work " + params.idDifficultyBits()
                                + " bits, name claims " + params.nameDifficultyBits() + " bits, k " + params.k()
                                + (node.dht().isReady() ? "" : " (still joining)")));
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

}
