package org.p2pdns.cli;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.p2pdns.node.api.Resolution;
import org.p2pdns.node.api.ResolveStatus;
import org.p2pdns.node.control.NodeControl;
import org.p2pdns.node.control.NodeStatus;
import org.p2pdns.node.control.PublishReply;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;

/**
 * A node double for the command-surface tests: it answers from a table that registrations fill, so register-then-query
 * goes through the real control API and the real CLI code. The real node is exercised by the end-to-end test.
 */
final class FakeNode implements NodeControl {
    final Map<String, List<org.xbill.DNS.Record>> names = new HashMap<>();
    final Map<String, ResolveStatus> forced = new HashMap<>();
    final List<String> lapsed = new ArrayList<>();
    final List<String> ownersAccepted = new ArrayList<>();
    String takenName = "taken.p2p";

    FakeNode() throws Exception {
        names.put("example.p2p.", List.of(new ARecord(Name.fromString("example.p2p."), DClass.IN, 300,
                InetAddress.getByName("192.0.2.10"))));
    }

    @Override
    public CompletableFuture<Resolution> resolve(String name) {
        String fq = name.endsWith(".") ? name : name + ".";
        ResolveStatus f = forced.get(fq);
        if (f != null) {
            return CompletableFuture.completedFuture(Resolution.of(f, fq, "forced " + f));
        }
        List<org.xbill.DNS.Record> rs = names.get(fq);
        if (rs == null) {
            return CompletableFuture.completedFuture(Resolution.of(ResolveStatus.NOT_FOUND, fq, "no record"));
        }
        return CompletableFuture.completedFuture(new Resolution(ResolveStatus.FOUND, fq, rs, 300, 1, 1, false, ""));
    }

    @Override
    public CompletableFuture<PublishReply> publish(String name, List<org.xbill.DNS.Record> records, long ttl) {
        String fq = name + ".";
        if (name.equals(takenName)) {
            return CompletableFuture.completedFuture(new PublishReply(fq, PublishReply.PublishStatus.REFUSED, 0, 0,
                    "held by another owner key"));
        }
        names.put(fq, records);
        return CompletableFuture.completedFuture(new PublishReply(fq, PublishReply.PublishStatus.PUBLISHED, 1, 3, ""));
    }

    @Override
    public CompletableFuture<PublishReply> lapse(String name) {
        lapsed.add(name);
        boolean owned = names.containsKey(name + ".");
        return CompletableFuture.completedFuture(new PublishReply(name + ".", owned ? PublishReply.PublishStatus.LAPSED
                : PublishReply.PublishStatus.NOT_OWNED, 0, 0, owned ? "" : "this node does not own it"));
    }

    @Override
    public CompletableFuture<PublishReply> acceptOwner(String name) {
        ownersAccepted.add(name);
        return CompletableFuture.completedFuture(new PublishReply(name + ".",
                PublishReply.PublishStatus.OWNER_ACCEPTED, 0, 0, ""));
    }

    @Override
    public CompletableFuture<NodeStatus> status() {
        return CompletableFuture.completedFuture(new NodeStatus("test", "ab".repeat(32), "127.0.0.1:7700",
                "203.0.113.5:7700", "full-cone", 4, 12, 7, List.copyOf(names.keySet()), "127.0.0.1:5354",
                List.of("127.0.0.1:7701"), 65, "tld p2p, id pow 0 bits"));
    }
}
