package io.roam.agents.cli;

import com.typesafe.config.ConfigFactory;
import io.roam.agents.ControlToken;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --token-file FILE} option of the commands that act through an agent's control API. */
final class TokenOption {
    @Option(names = "--token-file", paramLabel = "FILE", description = "File holding the agent's control API token"
            + " (default: the one this machine's agents write, roam.agent.http.token-file: /run/roam/token for root,"
            + " else $XDG_RUNTIME_DIR/roam/token or ~/.roam/token). On another machine, a copy of the agent's.")
    Path file;

    Path file() {
        if (file != null) {
            return file;
        }
        String configured = ConfigFactory.load().getString("roam.agent.http.token-file").trim();
        return configured.isEmpty() ? ControlToken.commandDefaultFile() : Path.of(configured);
    }
}
