using System.Runtime.CompilerServices;

namespace Tessera.Archive;

/// <summary>
/// Every regular expression built without a timeout of its own (libraries' too, such as the JSON Schema validator's
/// patterns, which project owners write) gives up after <see cref="Default"/>: a catastrophic pattern costs a request
/// seconds, not a thread for ever. .NET reads the setting once, when <c>Regex</c> is first used, so it is set as this
/// assembly loads and again by <c>tessera</c>'s first statement.
/// </summary>
public static class RegexTimeout
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(2);

    public static void Apply() => AppContext.SetData("REGEX_DEFAULT_MATCH_TIMEOUT", Default);

#pragma warning disable CA2255 // The setting must come before any Regex is built.
    [ModuleInitializer]
    internal static void OnLoad() => Apply();
#pragma warning restore CA2255
}
