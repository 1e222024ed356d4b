package org.p2pdns.node.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * The node's persistent state in one H2 MVStore file ({@value #FILE_NAME} in the data directory): values held for
 * the network ({@link #values()}), records this node owns and republishes, the owner key remembered per name (trust on
 * first use) and the highest sequence seen per name. Every write commits before it returns, so whatever a caller was
 * told is stored survives kill -9. Thread-safe.
 *
 * <p>A write that fails (a full disk) is a {@link StoreException}; MVStore then closes itself, so the store reopens
 * the file read-only: everything committed before stays readable (the node keeps serving it) and later writes are
 * refused with a clear error until a write finds the file writable again (space freed), which reopens it read-write.
 */
public final class NodeStore implements AutoCloseable {

    /** File name inside the data directory. */
    public static final String FILE_NAME = "records.mv.db";

    private final Path file;
    private final boolean onDisk;
    // replaced (all together, under this object's lock) when the store is reopened after a failed write
    private MVStore store;
    private MVMap<String, byte[]> values;
    private MVMap<String, byte[]> owned;
    private MVMap<String, byte[]> owners;
    private MVMap<String, Long> highestSequence;
    private boolean readOnly;
    private boolean closed;
    private final MvValueStore valueStore;

    private NodeStore(Path file, MVStore store, boolean onDisk) {
        this.file = file;
        this.onDisk = onDisk;
        bind(store);
        this.valueStore = new MvValueStore(this);
    }

    private void bind(MVStore s) {
        this.store = s;
        this.readOnly = s.isReadOnly();
        this.values = s.openMap("values");
        this.owned = s.openMap("owned");
        this.owners = s.openMap("owners");
        this.highestSequence = s.openMap("highestSequence");
    }

    /** The map of values held for the network (the current one: it changes when the store is reopened). */
    MVMap<String, byte[]> valuesMap() {
        return values;
    }

    /** True while the store serves reads only, after a write failed (see the class comment). */
    public synchronized boolean isReadOnly() {
        return readOnly;
    }

    /**
     * Opens (or creates) the store in {@code dataDir}.
     *
     * @throws StoreException naming the file if it is corrupt, locked by another process or cannot be created
     */
    public static NodeStore open(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new StoreException(dataDir, "cannot create the data directory", e);
        }
        MVStore s;
        try {
            s = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
        } catch (RuntimeException e) {
            throw new StoreException(file, "the store file is corrupt, locked by another process or unreadable", e);
        }
        try {
            return new NodeStore(file, s, true);
        } catch (RuntimeException e) {
            s.closeImmediately();
            throw new StoreException(file, "the store file has unexpected content", e);
        }
    }

    /** A store kept in memory only (simulations and tests): nothing survives {@link #close}. */
    public static NodeStore inMemory() {
        return new NodeStore(Path.of("(memory)"), new MVStore.Builder().autoCommitDisabled().open(), false);
    }

    /** The store file. */
    public Path file() {
        return file;
    }

    /** The values held for the network (the DHT's {@link org.p2pdns.node.dht.ValueStore}). */
    public MvValueStore values() {
        return valueStore;
    }

    /** Remembers {@code signedRecord} as owned by this node under {@code name} (canonical registered name). */
    public void putOwned(String name, byte[] signedRecord) {
        write(() -> owned.put(name, signedRecord.clone()));
    }

    /** The owned record for {@code name}. */
    public Optional<byte[]> owned(String name) {
        byte[] v = read(() -> owned.get(name));
        return Optional.ofNullable(v).map(byte[]::clone);
    }

    /** Every owned record, by name. */
    public Map<String, byte[]> allOwned() {
        return read(() -> {
            Map<String, byte[]> copy = new java.util.TreeMap<>();
            owned.forEach((k, v) -> copy.put(k, v.clone()));
            return copy;
        });
    }

    /** Forgets {@code name} as owned. */
    public void removeOwned(String name) {
        write(() -> owned.remove(name));
    }

    /** The owner key remembered for {@code name} (trust on first use). */
    public Optional<byte[]> rememberedOwner(String name) {
        return Optional.ofNullable(read(() -> owners.get(name))).map(byte[]::clone);
    }

    /** Remembers {@code ownerKey} for {@code name}, replacing any earlier one. */
    public void rememberOwner(String name, byte[] ownerKey) {
        write(() -> owners.put(name, ownerKey.clone()));
    }

    /** Forgets the owner and the highest sequence of {@code name} (accepting a new owner). */
    public void forgetOwner(String name) {
        write(() -> {
            owners.remove(name);
            highestSequence.remove(name);
        });
    }

    /** The highest sequence seen for {@code name}, or -1. */
    public long highestSequence(String name) {
        Long v = read(() -> highestSequence.get(name));
        return v == null ? -1 : v;
    }

    /** Raises the highest sequence seen for {@code name} to {@code sequence} (never lowers it). */
    public void raiseHighestSequence(String name, long sequence) {
        write(() -> {
            Long old = highestSequence.get(name);
            if (old == null || old < sequence) {
                highestSequence.put(name, sequence);
            }
        });
    }

    /** Names with a remembered owner. */
    public List<String> rememberedNames() {
        return read(() -> new ArrayList<>(owners.keySet()));
    }

    /** Runs {@code change} and commits, so that it is on disk when this returns. */
    synchronized void write(Runnable change) {
        if (readOnly && !reopen(false)) {
            throw new StoreException(file, "cannot write the store file: it is read-only since an earlier write failed"
                    + " (is the disk full?); what it holds is still served", null);
        }
        try {
            change.run();
            store.commit();
        } catch (RuntimeException e) {
            if (onDisk && !closed) {
                // MVStore closes itself when a commit fails; what was committed before is intact on disk
                store.closeImmediately();
                reopen(true);
            }
            throw new StoreException(file, "cannot write the store file", e);
        }
    }

    /** Reopens the file (read-only or read-write); true if it worked. On failure, falls back to read-only if it can. */
    private boolean reopen(boolean asReadOnly) {
        MVStore.Builder b = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled();
        try {
            if (!store.isClosed()) {
                store.close();
            }
            bind(asReadOnly ? b.readOnly().open() : b.open());
            return true;
        } catch (RuntimeException e) {
            if (!asReadOnly) {
                try {
                    bind(new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().readOnly().open());
                } catch (RuntimeException again) {
                    org.slf4j.LoggerFactory.getLogger(NodeStore.class).error("cannot reopen {}: {}", file,
                            again.getMessage());
                }
            } else {
                org.slf4j.LoggerFactory.getLogger(NodeStore.class).error("cannot reopen {} read-only: {}", file,
                        e.getMessage());
            }
            return false;
        }
    }

    synchronized <T> T read(java.util.function.Supplier<T> query) {
        try {
            return query.get();
        } catch (RuntimeException e) {
            throw new StoreException(file, "cannot read the store file", e);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (!store.isClosed()) {
            try {
                store.close();
            } catch (RuntimeException e) {
                throw new StoreException(file, "cannot close the store file", e);
            }
        }
    }
}
