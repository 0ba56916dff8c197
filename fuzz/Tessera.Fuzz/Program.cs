using Tessera.Fuzz;

// tessera-fuzz <target>                  run under afl-fuzz (fuzz/run.sh)
// tessera-fuzz <target> --seeds <dir>    write the target's seeds
// tessera-fuzz <target> --replay <path>… run saved inputs in-process, report crashes and hangs
// tessera-fuzz --list                    the targets
if (args is ["--list"])
{
    foreach (var t in FuzzTargets.All)
        Console.WriteLine($"{t.Name,-6} {t.Description}");
    return 0;
}
if (args.Length == 0 || FuzzTargets.Find(args[0]) is not { } target)
{
    Console.Error.WriteLine($"usage: tessera-fuzz <{string.Join('|', FuzzTargets.All.Select(t => t.Name))}> [--seeds <dir> | --replay <path>...] | --list");
    return 2;
}
return args[1..] switch
{
    [] => FuzzCommand.Run(target),
    ["--seeds", var output] => SeedCommand.Run(target, output),
    ["--replay", .. var paths] when paths.Length > 0 => ReplayCommand.Run(target, paths),
    _ => 2,
};
