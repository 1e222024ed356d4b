package org.p2pdns.node.store;

import org.p2pdns.node.record.OwnerKey;

/** Test access to the keyring's text format. */
public final class OwnerKeyringTestSupport {
    private OwnerKeyringTestSupport() {
    }

    /** The export text of {@code key} under {@code alias}. */
    public static String export(String alias, OwnerKey key) {
        return OwnerKeyring.format(alias, key);
    }
}
