using Microsoft.EntityFrameworkCore;

namespace Tessera.Archive.Hierarchy;

/// <summary>Offset paging with a bounded page size.</summary>
public readonly record struct Paging(int Offset, int Limit)
{
    public const int DefaultLimit = 100;
    public const int MaximumLimit = 1000;

    public static Paging From(int? offset, int? limit)
    {
        if (offset is < 0)
        {
            throw TesseraException.Invalid("offset must not be negative.");
        }
        if (limit is < 1 or > MaximumLimit)
        {
            throw TesseraException.Invalid($"limit must be between 1 and {MaximumLimit}.");
        }
        return new Paging(offset ?? 0, limit ?? DefaultLimit);
    }

    public async Task<Page<T>> ApplyAsync<T>(IQueryable<T> ordered, CancellationToken ct)
    {
        var total = await ordered.CountAsync(ct);
        var items = await ordered.Skip(Offset).Take(Limit).ToListAsync(ct);
        return new Page<T>(items, total, Offset, Limit);
    }
}
