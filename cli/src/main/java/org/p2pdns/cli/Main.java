package org.p2pdns.cli;

/** Entry point of the {@code p2p} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.out.println("p2p 0.1.0-SNAPSHOT");
    }
}
