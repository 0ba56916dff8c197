namespace Tessera.Pipelines.Executors;

/// <summary>The executors of this site, listed in one place (no discovery by reflection).</summary>
public sealed class ExecutorCatalog(IEnumerable<IJobExecutor> executors)
{
    private readonly Dictionary<string, IJobExecutor> _byName = executors.ToDictionary(e => e.Name, StringComparer.Ordinal);

    public IEnumerable<string> Names => _byName.Keys.Order(StringComparer.Ordinal);

    public bool Has(string name) => _byName.ContainsKey(name);

    public IJobExecutor Get(string name) =>
        _byName.TryGetValue(name, out var executor) ? executor : throw new InvalidOperationException($"No executor '{name}'.");
}
