using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Tessera.Archive.Storage;

/// <summary>
/// A buffer of native memory aligned to a page, as direct (unbuffered) file writes require; pooled,
/// since fresh large allocations cost page faults. Return it with <see cref="IDisposable.Dispose"/>.
/// </summary>
internal sealed unsafe class AlignedBuffer : MemoryManager<byte>
{
    public const int Alignment = 4096;
    public const int Size = 1 << 18;
    private const int Pooled = 32;

    private static readonly ConcurrentBag<AlignedBuffer> Pool = [];
    private readonly byte* _pointer = (byte*)NativeMemory.AlignedAlloc(Size, Alignment);

    public static AlignedBuffer Rent() => Pool.TryTake(out var buffer) ? buffer : new AlignedBuffer();

    public override Span<byte> GetSpan() => new(_pointer, Size);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    public override void Unpin() { }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Pool.Count < Pooled)
            Pool.Add(this);
        else
            NativeMemory.AlignedFree(_pointer);
    }
}
