package io.roam.agents.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code roam}: the command line of Roam. */
@Command(name = "roam", mixinStandardHelpOptions = true, version = "roam 0.1.0",
        description = "Autonomous middleware that keeps MPI applications fast on changing clusters.",
        subcommands = {AgentCommand.class, StatusCommand.class, ProfileCommand.class, RunCommand.class,
            MigrateCommand.class, DrainCommand.class, UndrainCommand.class, StopCommand.class, KeysCommand.class,
            SimulateCommand.class})
public final class RoamCli implements Runnable {
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (tests call this). */
    public static int execute(String... args) {
        return new CommandLine(new RoamCli()).execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
