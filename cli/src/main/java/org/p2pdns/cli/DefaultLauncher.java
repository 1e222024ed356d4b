package org.p2pdns.cli;

import org.p2pdns.node.config.NodeConfig;
import org.p2pdns.node.control.ResolveReply;

/** The real launcher: assembles a node ({@code P2PNode}), the DNS bridge and the introduction server. */
final class DefaultLauncher implements Launcher {

    @Override
    public Service startNode(NodeConfig config, Progress progress) {
        throw new CliException(ExitCode.FAILED, "this build has no node assembly yet");
    }

    @Override
    public Service startIntroServer(NodeConfig config, Progress progress) {
        throw new CliException(ExitCode.FAILED, "this build has no introduction server yet");
    }

    @Override
    public ResolveReply resolveOnce(NodeConfig config, String name, Progress progress) {
        throw new CliException(ExitCode.FAILED, "this build has no node assembly yet");
    }
}
