namespace Tessera.Client.Contracts;

public sealed record PageDto<T>(IReadOnlyList<T> Items, int Total, int Offset, int Limit);
