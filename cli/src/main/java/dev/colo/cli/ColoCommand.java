package dev.colo.cli;

import dev.colo.cli.demo.DemoCommand;
import dev.colo.cli.replay.ReplayCommand;
import dev.colo.cli.node.CompareCommand;
import dev.colo.cli.node.PrimaryCommand;
import dev.colo.cli.node.SecondaryCommand;
import dev.colo.cli.vm.VmCommand;
import picocli.CommandLine.Command;

@Command(name = "colo",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {
            "COLO in Java: coarse-grained lock-stepping fault tolerance.",
            "Two replicas run the same service; their network output is compared packet",
            "by packet, identical output is released, and a divergence triggers a",
            "checkpoint of the primary's state to the secondary."},
        subcommands = {DemoCommand.class, ReplayCommand.class, dev.colo.cli.tune.TuneCommand.class, PrimaryCommand.class, SecondaryCommand.class, CompareCommand.class, WitnessCommand.class, VmCommand.class, dev.colo.cli.control.ControlCommands.Status.class, dev.colo.cli.control.ControlCommands.Set.class, dev.colo.cli.control.ControlCommands.Checkpoint.class, dev.colo.cli.control.ControlCommands.Failover.class, picocli.CommandLine.HelpCommand.class},
        footer = ExitCodes.HELP)
public final class ColoCommand {
}
