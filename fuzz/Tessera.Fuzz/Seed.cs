namespace Tessera.Fuzz;

/// <summary>A named starting input for afl-fuzz.</summary>
public sealed record Seed(string Name, byte[] Bytes);
