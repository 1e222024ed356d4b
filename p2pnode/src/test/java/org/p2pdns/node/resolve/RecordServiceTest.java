package org.p2pdns.node.resolve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.node.api.ResolveStatus;
import org.p2pdns.node.config.NetworkParams;
import org.p2pdns.node.record.OwnerKey;
import org.p2pdns.node.record.ProofOfWork;
import org.p2pdns.node.record.RecordPolicy;
import org.p2pdns.node.record.TestRecords;
import org.p2pdns.node.store.NodeStore;
import org.p2pdns.node.store.OwnerKeyring;
import org.p2pdns.node.time.VirtualScheduler;

class RecordServiceTest {

    @TempDir
    Path dir;

    @Test
    void createsAnOwnerKeyPerNameAndReusesIt() throws Exception {
        VirtualScheduler scheduler = new VirtualScheduler();
        RecordPolicy policy = new RecordPolicy(NetworkParams.TEST.withDifficulty(0, 4));
        try (NodeStore store = NodeStore.open(dir)) {
            ScriptedDht dht = new ScriptedDht(policy, scheduler);
            OwnerKeyring keyring = new OwnerKeyring(dir, new SecureRandom());
            RecordService service = new RecordService(dht, store, policy, keyring, scheduler, Runnable::run);
            service.start();
            PublishResult first = run(scheduler, service.publish("Shop.p2p", TestRecords.aRecord("shop.p2p", 1), 60,
                    ProofOfWork.Progress.NONE));
            assertTrue(first.ok(), first.toString());
            assertEquals("shop", keyring.list().get(0).alias());
            assertArrayEquals(keyring.load("shop").publicKey(), first.record().ownerKey());
            PublishResult second = run(scheduler, service.publish("shop.p2p", TestRecords.aRecord("shop.p2p", 2), 60,
                    ProofOfWork.Progress.NONE));
            assertTrue(second.ok(), second.toString());
            assertEquals(1, keyring.list().size());
            assertEquals(java.util.List.of("shop.p2p"), service.ownedNames());

            // a self-certifying name is published with the key it names, which must be in the keyring
            OwnerKey a = TestRecords.keyA();
            String self = a.selfCertifyingLabel() + ".p2p";
            ExecutionException missing = assertThrows(ExecutionException.class, () -> service.publish(self,
                    TestRecords.aRecord(self, 1), 60, ProofOfWork.Progress.NONE).get());
            assertTrue(missing.getCause().getMessage().contains("not in the owner keyring"));
            keyring.importKey(org.p2pdns.node.store.OwnerKeyringTestSupport.export("mine", a), null);
            assertTrue(run(scheduler, service.publish(self, TestRecords.aRecord(self, 1), 60,
                    ProofOfWork.Progress.NONE)).ok());

            CompletableFuture<org.p2pdns.node.api.Resolution> r = service.resolve("www.shop.p2p");
            scheduler.runFor(Duration.ZERO);
            dht.lastGet().deliver(second.record().encoded());
            assertEquals(ResolveStatus.FOUND, r.get().status());

            assertTrue(service.lapse("shop.p2p"));
            assertFalse(service.lapse("shop.p2p"));
            service.close();
        }
    }

    static <T> T run(VirtualScheduler scheduler, CompletableFuture<T> f) throws Exception {
        scheduler.runFor(Duration.ZERO);
        assertTrue(f.isDone());
        return f.get();
    }
}
