package org.p2pdns.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.node.api.Resolution;
import org.p2pdns.node.api.ResolveStatus;
import org.p2pdns.node.config.ConfigKey;
import org.p2pdns.node.config.ConfigLoader;
import org.p2pdns.node.config.DataDirLayout;
import org.p2pdns.node.config.NodeConfig;
import org.p2pdns.node.control.ControlClient;
import org.p2pdns.node.control.NodeStatus;
import org.p2pdns.node.control.PublishReply;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;

/** Real nodes on 127.0.0.1 (ephemeral ports, proof of work off): join, publish, resolve, restart, shutdown. */
class P2PNodeTest {

    @TempDir
    Path tmp;

    final List<P2PNode> nodes = new ArrayList<>();

    @AfterEach
    void stopAll() {
        nodes.forEach(P2PNode::close);
    }

    static final Map<String, String> TEST_NETWORK = Map.of("P2P_NETWORK_ID_DIFFICULTY", "0",
            "P2P_NETWORK_NAME_DIFFICULTY", "0", "P2P_BIND", "127.0.0.1", "P2P_PORT", "0", "P2P_DNS_ENABLED", "false");

    NodeConfig config(String name, Map<ConfigKey, String> flags) {
        return ConfigLoader.load(tmp.resolve(name), TEST_NETWORK, flags);
    }

    P2PNode start(String name, Map<ConfigKey, String> flags, boolean control) throws Exception {
        P2PNode n = P2PNode.start(config(name, flags), new P2PNode.Options(null, control, null, "test"));
        nodes.add(n);
        return n;
    }

    static String addr(P2PNode n) {
        return "127.0.0.1:" + n.udpAddress().getPort();
    }

    static List<org.xbill.DNS.Record> a(String name, String ip) throws Exception {
        return List.of(new ARecord(Name.fromString(name + "."), DClass.IN, 300, InetAddress.getByName(ip)));
    }

    @Test
    void threeNodesPublishAndResolve() throws Exception {
        P2PNode first = start("a", Map.of(), true);
        first.joined().get(10, TimeUnit.SECONDS);
        P2PNode b = start("b", Map.of(ConfigKey.BOOTSTRAP, addr(first)), false);
        P2PNode c = start("c", Map.of(ConfigKey.BOOTSTRAP, addr(first)), false);
        b.joined().get(10, TimeUnit.SECONDS);
        c.joined().get(10, TimeUnit.SECONDS);

        PublishReply p = b.publish("shop.p2p", a("shop.p2p", "192.0.2.1"), 300).get(10, TimeUnit.SECONDS);
        assertEquals(PublishReply.PublishStatus.PUBLISHED, p.status(), p.toString());
        assertTrue(p.replicas() >= 1, p.toString());
        assertTrue(Files.exists(tmp.resolve("b").resolve(DataDirLayout.OWNER_KEYS).resolve("default.key")));

        Resolution r = c.resolve("www.shop.p2p").get(10, TimeUnit.SECONDS);
        assertEquals(ResolveStatus.FOUND, r.status(), r.detail());
        assertEquals("192.0.2.1", r.records().get(0).rdataToString());
        assertEquals(ResolveStatus.NOT_FOUND, c.resolve("nothing.p2p").get(10, TimeUnit.SECONDS).status());

        // an update from the same node keeps the owner key and raises the sequence
        PublishReply p2 = b.publish("shop.p2p", a("shop.p2p", "192.0.2.2"), 300).get(10, TimeUnit.SECONDS);
        assertEquals(PublishReply.PublishStatus.PUBLISHED, p2.status(), p2.toString());
        assertTrue(p2.sequence() > p.sequence());

        // another node's key cannot take the name
        PublishReply stolen = c.publish("shop.p2p", a("shop.p2p", "203.0.113.66"), 300).get(10, TimeUnit.SECONDS);
        assertEquals(PublishReply.PublishStatus.REFUSED, stolen.status(), stolen.toString());

        NodeStatus s = ControlClient.forDataDir(tmp.resolve("a"), Duration.ofSeconds(10)).status();
        assertEquals(2, s.routingTableSize(), s.toString());
        assertTrue(s.recordsHeld() >= 1, s.toString());
        assertEquals(first.identity().id().toHex(), s.nodeId());

        assertEquals(PublishReply.PublishStatus.LAPSED, b.lapse("shop.p2p").get(5, TimeUnit.SECONDS).status());
        assertEquals(PublishReply.PublishStatus.NOT_OWNED, b.lapse("shop.p2p").get(5, TimeUnit.SECONDS).status());
    }

    @Test
    void restartRejoinsThroughTheSavedRoutingTableAndKeepsItsIdentity() throws Exception {
        P2PNode first = start("a", Map.of(), false);
        first.joined().get(10, TimeUnit.SECONDS);
        P2PNode b = start("b", Map.of(ConfigKey.BOOTSTRAP, addr(first)), false);
        b.joined().get(10, TimeUnit.SECONDS);
        b.publish("kept.p2p", a("kept.p2p", "192.0.2.9"), 300).get(10, TimeUnit.SECONDS);
        String id = b.identity().id().toHex();
        b.close();
        assertTrue(org.p2pdns.node.dht.routing.RoutingTableFile.load(tmp.resolve("b").resolve(DataDirLayout.ROUTING_TABLE))
                .contacts().stream().anyMatch(c -> c.address().getPort() == first.udpAddress().getPort()));

        P2PNode again = start("b", Map.of(), false);
        again.joined().get(10, TimeUnit.SECONDS);
        assertEquals(id, again.identity().id().toHex());
        NodeStatus s = again.status().get(5, TimeUnit.SECONDS);
        assertEquals(1, s.routingTableSize(), s.toString());
        assertEquals(List.of("kept.p2p"), s.ownedNames().stream().map(n -> n.replaceAll("\\.$", "")).toList());
        assertEquals(ResolveStatus.FOUND, first.resolve("kept.p2p").get(10, TimeUnit.SECONDS).status());
    }

    @Test
    void publishWithANamedOwnerKey() throws Exception {
        P2PNode n = start("a", Map.of(), false);
        n.joined().get(10, TimeUnit.SECONDS);
        PublishReply missing = n.publish("alias.p2p", a("alias.p2p", "192.0.2.3"), 300, "shop").get(10, TimeUnit.SECONDS);
        assertEquals(PublishReply.PublishStatus.FAILED, missing.status(), missing.toString());
        assertTrue(missing.detail().contains("shop"), missing.detail());

        var keyring = new org.p2pdns.node.store.OwnerKeyring(tmp.resolve("a"), new java.security.SecureRandom());
        var shop = keyring.generate("shop");
        PublishReply p = n.publish("alias.p2p", a("alias.p2p", "192.0.2.3"), 300, "shop").get(10, TimeUnit.SECONDS);
        assertTrue(p.status() == PublishReply.PublishStatus.PUBLISHED
                || p.status() == PublishReply.PublishStatus.STORED_LOCALLY, p.toString());
        Resolution r = n.resolve("alias.p2p").get(10, TimeUnit.SECONDS);
        assertEquals(ResolveStatus.FOUND, r.status(), r.detail());
        byte[] owned = n.store().owned("alias.p2p").orElseThrow();
        assertTrue(org.p2pdns.node.record.RecordCodec.decode(owned).ownedBy(shop.publicKey()));
        assertFalse(Files.exists(tmp.resolve("a").resolve(DataDirLayout.OWNER_KEYS).resolve("default.key")));
    }

    @Test
    void acceptOwnerForgetsTheRememberedOwnerKey() throws Exception {
        P2PNode n = start("a", Map.of(), false);
        n.joined().get(10, TimeUnit.SECONDS);
        PublishReply p = n.publish("owner.p2p", a("owner.p2p", "192.0.2.4"), 300).get(10, TimeUnit.SECONDS);
        assertTrue(p.status() == PublishReply.PublishStatus.PUBLISHED
                || p.status() == PublishReply.PublishStatus.STORED_LOCALLY, p.toString());
        assertEquals(ResolveStatus.FOUND, n.resolve("owner.p2p").get(10, TimeUnit.SECONDS).status());
        assertTrue(n.store().rememberedOwner("owner.p2p").isPresent());

        PublishReply r = n.acceptOwner("www.owner.p2p").get(5, TimeUnit.SECONDS);
        assertEquals(PublishReply.PublishStatus.OWNER_ACCEPTED, r.status(), r.toString());
        assertEquals("owner.p2p.", r.name());
        assertTrue(n.store().rememberedOwner("owner.p2p").isEmpty());
        // the next resolution trusts (and remembers) the owner it finds
        assertEquals(ResolveStatus.FOUND, n.resolve("owner.p2p").get(10, TimeUnit.SECONDS).status());
        assertTrue(n.store().rememberedOwner("owner.p2p").isPresent());

        PublishReply bad = n.acceptOwner("not a name").get(5, TimeUnit.SECONDS);
        assertEquals(PublishReply.PublishStatus.INVALID, bad.status(), bad.toString());
        assertFalse(bad.detail().isEmpty());
    }

    @Test
    void aBusyPortIsAClearError() throws Exception {
        P2PNode first = start("a", Map.of(), false);
        Exception e = assertThrows(java.io.IOException.class, () -> start("b",
                Map.of(ConfigKey.PORT, String.valueOf(first.udpAddress().getPort())), false));
        assertTrue(e.getMessage().contains("cannot bind"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("b").resolve("control.port")));
    }

    @Test
    void aSecondNodeOnTheSameDataDirectoryIsRefused() throws Exception {
        start("a", Map.of(), true);
        Exception e = assertThrows(java.io.IOException.class, () -> start("a", Map.of(), true));
        assertTrue(e.getMessage().contains("another node"), e.getMessage());
    }

    @Test
    void unsafeKeyFileIsRefusedWithAFix() throws Exception {
        P2PNode n = start("a", Map.of(), false);
        n.close();
        Path key = tmp.resolve("a").resolve("node.key");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        Exception e = assertThrows(java.io.IOException.class, () -> start("a", Map.of(), false));
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("a").resolve("control.port")));
    }
}
