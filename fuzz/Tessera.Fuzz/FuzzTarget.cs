namespace Tessera.Fuzz;

/// <summary>
/// One parser fed untrusted bytes. <see cref="Run"/> must either return or throw one of the exceptions the
/// product uses to refuse bad input (<see cref="IsRefusal"/>); anything else that escapes is a crash for AFL++.
/// </summary>
public abstract class FuzzTarget
{
    /// <summary>The largest input handed to a target: seeds are capped well below it, and AFL++ rarely grows past it.</summary>
    public const int MaxInputBytes = 1 << 20;

    /// <summary>The command-line name (<c>tessera-fuzz dicom</c>).</summary>
    public abstract string Name { get; }

    /// <summary>What the target reads, for <c>--list</c> and the README.</summary>
    public abstract string Description { get; }

    /// <summary>Parses <paramref name="input"/> the way the server would, and touches what it produced.</summary>
    public abstract void Run(byte[] input);

    /// <summary>Whether <paramref name="exception"/> is how the parser says "this input is not valid", not a defect.</summary>
    public abstract bool IsRefusal(Exception exception);

    /// <summary>Starting inputs from the shared test corpus (<paramref name="corpus"/>) and hand-made bytes.</summary>
    public abstract IEnumerable<Seed> Seeds(SeedCorpus corpus);
}
