package org.p2pdns.node.wire;

import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.p2pdns.node.dht.Contact;
import org.p2pdns.node.dht.StoreOutcome;
import org.p2pdns.node.dht.ValuePolicy;
import org.p2pdns.node.transport.MessageTransport;

/**
 * Encodes and decodes DHT messages (layouts in docs/protocol-dht.md). Every message starts with a version byte, a type
 * byte and an 8-byte request id; integers are big-endian. Decoding checks bounds before every read and throws only
 * {@link WireException}.
 */
public final class DhtCodec {

    /** The protocol version this node speaks. */
    public static final int VERSION = 1;
    /** Version, type, request id. */
    public static final int HEADER_BYTES = 10;
    /** Longest write token. */
    public static final int MAX_TOKEN_BYTES = 32;
    /** Address family byte of an IPv4 contact. */
    public static final int FAMILY_IPV4 = 4;
    /** Address family byte of an IPv6 contact. */
    public static final int FAMILY_IPV6 = 6;
    /** Largest encoded message. */
    public static final int MAX_MESSAGE = MessageTransport.MAX_MESSAGE;
    /** Most contacts in one NODES or VALUE message. */
    public static final int MAX_CONTACTS = 32;

    private DhtCodec() {
    }

    static byte[] checkToken(byte[] token) {
        if (token == null) {
            throw new IllegalArgumentException("token must not be null (use an empty array)");
        }
        if (token.length > MAX_TOKEN_BYTES) {
            throw new IllegalArgumentException("token longer than " + MAX_TOKEN_BYTES + " bytes");
        }
        return token.clone();
    }

    /** Encoded size of one contact. */
    public static int contactBytes(Contact c) {
        return 32 + 1 + (c.address().getAddress() instanceof Inet4Address ? 4 : 16) + 2;
    }

    /** Encodes {@code m}; a NODES or VALUE message keeps only the contacts (in order) that fit in {@link #MAX_MESSAGE}. */
    public static byte[] encode(DhtMessage m) {
        WireWriter w = new WireWriter();
        w.u8(VERSION).u8(m.type().code()).u64(m.requestId());
        if (m instanceof FindNodeMessage f) {
            w.id(f.target());
        } else if (m instanceof FindValueMessage f) {
            w.id(f.key());
        } else if (m instanceof NodesMessage n) {
            byte[] t = n.token();
            w.u8(t.length).bytes(t);
            writeContacts(w, n.contacts());
        } else if (m instanceof ValueMessage v) {
            byte[] t = v.token();
            byte[] val = v.value();
            w.u8(t.length).bytes(t).u16(val.length).bytes(val);
            writeContacts(w, v.contacts());
        } else if (m instanceof StoreMessage s) {
            byte[] t = s.token();
            byte[] val = s.value();
            w.id(s.key()).u8(t.length).bytes(t).u16(val.length).bytes(val);
        } else if (m instanceof StoreResultMessage s) {
            w.u8(s.outcome().code());
        } else if (m instanceof ErrorMessage e) {
            byte[] r = e.reason().getBytes(StandardCharsets.UTF_8);
            w.u8(e.code().code()).u8(r.length).bytes(r);
        }
        if (w.size() > MAX_MESSAGE) {
            // only a STORE or VALUE with a maximal value and token could get here, and those still fit; keep the guard
            throw new IllegalArgumentException("message of " + w.size() + " bytes exceeds " + MAX_MESSAGE);
        }
        return w.toBytes();
    }

    private static void writeContacts(WireWriter w, List<Contact> contacts) {
        int room = MAX_MESSAGE - w.size() - 1;
        int n = 0;
        int bytes = 0;
        for (Contact c : contacts) {
            int cb = contactBytes(c);
            if (n == MAX_CONTACTS || bytes + cb > room) {
                break;
            }
            bytes += cb;
            n++;
        }
        w.u8(n);
        for (int i = 0; i < n; i++) {
            w.contact(contacts.get(i));
        }
    }

    /** Decodes one message; throws {@link WireException} on anything malformed. */
    public static DhtMessage decode(byte[] msg) throws WireException {
        if (msg == null) {
            throw new WireException(WireException.Error.TRUNCATED, "no message");
        }
        if (msg.length > MAX_MESSAGE) {
            throw new WireException(WireException.Error.TOO_LARGE, msg.length + " bytes");
        }
        WireReader r = new WireReader(msg);
        int version = r.u8("version");
        if (version != VERSION) {
            throw new WireException(WireException.Error.BAD_VERSION, "version " + version);
        }
        int typeCode = r.u8("type");
        MessageType type = MessageType.fromCode(typeCode);
        if (type == null) {
            throw new WireException(WireException.Error.UNKNOWN_TYPE, "type " + typeCode);
        }
        long id = r.u64("request id");
        DhtMessage m = switch (type) {
            case PING -> new PingMessage(id);
            case PONG -> new PongMessage(id);
            case FIND_NODE -> new FindNodeMessage(id, r.id("target"));
            case FIND_VALUE -> new FindValueMessage(id, r.id("key"));
            case NODES -> {
                byte[] token = token(r);
                yield new NodesMessage(id, token, contacts(r));
            }
            case VALUE -> {
                byte[] token = token(r);
                byte[] value = value(r);
                yield new ValueMessage(id, token, value, contacts(r));
            }
            case STORE -> {
                var key = r.id("key");
                byte[] token = token(r);
                yield new StoreMessage(id, key, token, value(r));
            }
            case STORE_RESULT -> {
                int code = r.u8("outcome");
                StoreOutcome o = StoreOutcome.fromCode(code);
                if (o == null) {
                    throw new WireException(WireException.Error.BAD_FIELD, "store outcome " + code);
                }
                yield new StoreResultMessage(id, o);
            }
            case ERROR -> {
                int code = r.u8("error code");
                ErrorMessage.Code c = ErrorMessage.Code.fromCode(code);
                if (c == null) {
                    throw new WireException(WireException.Error.BAD_FIELD, "error code " + code);
                }
                int len = r.u8("reason length");
                if (len > ErrorMessage.MAX_REASON_BYTES) {
                    throw new WireException(WireException.Error.TOO_LARGE, "reason of " + len + " bytes");
                }
                String reason;
                try {
                    reason = StandardCharsets.UTF_8.newDecoder()
                            .decode(java.nio.ByteBuffer.wrap(r.bytes(len, "reason"))).toString();
                } catch (java.nio.charset.CharacterCodingException e) {
                    throw new WireException(WireException.Error.BAD_FIELD, "reason is not valid UTF-8");
                }
                yield new ErrorMessage(id, c, reason);
            }
        };
        r.end();
        return m;
    }

    /** Encodes {@code contacts} as a 2-byte count followed by the contacts (the layout NODES uses for each contact). */
    public static byte[] encodeContactList(List<Contact> contacts) {
        if (contacts.size() > 0xffff) {
            throw new IllegalArgumentException("too many contacts: " + contacts.size());
        }
        WireWriter w = new WireWriter();
        w.u16(contacts.size());
        for (Contact c : contacts) {
            w.contact(c);
        }
        return w.toBytes();
    }

    /** Decodes what {@link #encodeContactList} wrote; the whole input must be consumed. */
    public static List<Contact> decodeContactList(byte[] bytes) throws WireException {
        WireReader r = new WireReader(bytes);
        int n = r.u16("contact count");
        List<Contact> out = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            out.add(r.contact());
        }
        r.end();
        return out;
    }

    /** Reads just the header: the request id of {@code msg} if it has a valid header, else -1 is not usable. */
    public static long peekRequestId(byte[] msg) throws WireException {
        WireReader r = new WireReader(msg);
        r.u8("version");
        r.u8("type");
        return r.u64("request id");
    }

    private static byte[] token(WireReader r) throws WireException {
        int len = r.u8("token length");
        if (len > MAX_TOKEN_BYTES) {
            throw new WireException(WireException.Error.TOO_LARGE, "token of " + len + " bytes");
        }
        return r.bytes(len, "token");
    }

    private static byte[] value(WireReader r) throws WireException {
        int len = r.u16("value length");
        if (len > ValuePolicy.MAX_VALUE_BYTES) {
            throw new WireException(WireException.Error.TOO_LARGE, "value of " + len + " bytes");
        }
        return r.bytes(len, "value");
    }

    private static List<Contact> contacts(WireReader r) throws WireException {
        int n = r.u8("contact count");
        if (n > MAX_CONTACTS) {
            throw new WireException(WireException.Error.TOO_LARGE, n + " contacts");
        }
        List<Contact> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(r.contact());
        }
        return out;
    }
}
