package io.roam.agents.cli;

import com.typesafe.config.ConfigException;
import io.roam.agents.Errors;
import io.roam.agents.Unavailable;
import io.roam.agents.logging.Logging;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code roam}: the command line of Roam. Every error is one line on stderr,
 * {@code roam COMMAND: what is wrong; what to do}, with an exit code of {@link ExitCodes}: bad
 * arguments included (no usage dump), unexpected exceptions too (their kind and message, never
 * "null"; ROAM_DEBUG=1 adds the stack trace).
 */
@Command(name = "roam", mixinStandardHelpOptions = true, version = "roam 0.1.0",
        description = "Autonomous middleware that keeps MPI applications fast on changing clusters.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            " 0:done",
            " 1:failed: a migration failed, a drain left ranks behind, the agent could not be reached or refused the"
                    + " token, the agent stopped on its own, or an unexpected error",
            " 2:refused before anything was done: a bad option, argument, URL or address, an unknown configuration"
                    + " key, a value out of range, an unknown node",
            " 3:roam agent could not have a port, address or PCM socket (in use, or not this machine's); nothing"
                    + " was started",
            "130:roam agent stopped by SIGINT (Ctrl-C), after its drain",
            "143:roam agent stopped by SIGTERM, after its drain"},
        subcommands = {AgentCommand.class, StatusCommand.class, ProfileCommand.class, RunCommand.class,
            MigrateCommand.class, ResizeCommand.class, DrainCommand.class, UndrainCommand.class, StopCommand.class, KeysCommand.class,
            SimulateCommand.class})
public final class RoamCli implements Runnable {
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (tests call this). */
    public static int execute(String... args) {
        Logging.init();
        return new CommandLine(new RoamCli())
                .setParameterExceptionHandler(RoamCli::badArguments)
                .setExecutionExceptionHandler(RoamCli::failed)
                .execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** A bad option or argument: one line, the command's --help named, exit code 2. */
    private static int badArguments(CommandLine.ParameterException e, String[] args) {
        String command = e.getCommandLine().getCommandSpec().qualifiedName();
        String message = Errors.describe(e);
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            message += " (did you mean " + String.join(" or ", u.getSuggestions().stream().limit(3).toList()) + "?)";
        }
        System.err.println(command + ": " + message + "; " + command + " --help lists what it takes");
        return ExitCodes.USAGE;
    }

    /**
     * An exception out of a command: a bad setting (exit code 2) or an unavailable resource (3)
     * is one line as it is; anything else is a bug, told by its kind and message (exit code 1).
     */
    private static int failed(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        String command = cmd.getCommandSpec().qualifiedName();
        if (e instanceof Unavailable) {
            System.err.println(command + ": " + Errors.describe(e));
            return ExitCodes.UNAVAILABLE;
        }
        if (e instanceof IllegalArgumentException || e instanceof ConfigException) {
            System.err.println(command + ": " + Errors.describe(e));
            return ExitCodes.USAGE;
        }
        System.err.println(command + ": unexpected " + e.getClass().getSimpleName() + ": " + Errors.describe(e)
                + " (a bug of roam: please report it with this line; ROAM_DEBUG=1 prints where it happened)");
        if ("1".equals(System.getenv("ROAM_DEBUG"))) {
            e.printStackTrace();
        }
        return ExitCodes.FAILED;
    }
}
