using System.Buffers.Binary;

namespace Tessera.Imaging.Sources;

/// <summary>
/// The parts of a NIfTI-1 (348-byte) or NIfTI-2 (540-byte) header that showing the volume needs, in either byte
/// order: dimensions, voxel type and size, where the voxels start, the scaling and display range, and the
/// orientation of the voxel axes (from sform, else qform; null when neither is set).
/// </summary>
public sealed record NiftiHeader(
    int Version, bool BigEndian, long[] Dimensions, int DataType, int BitsPerVoxel, double[] VoxelSize, long VoxelOffset,
    double Slope, double Intercept, double CalMin, double CalMax)
{
    public NiftiOrientation? Orientation { get; init; }

    public long X => Dimensions[0];

    public long Y => Dimensions.Length > 1 ? Dimensions[1] : 1;

    public long Z => Dimensions.Length > 2 ? Dimensions[2] : 1;

    public long T => Dimensions.Length > 3 ? Dimensions[3] : 1;

    public int BytesPerVoxel => BitsPerVoxel / 8;

    /// <summary>Samples a voxel holds: 3 for RGB24, 4 for RGBA32, else 1.</summary>
    public int Samples => DataType switch { 128 => 3, 2304 => 4, _ => 1 };

    public static bool LooksLikeNifti(ReadOnlySpan<byte> head) =>
        head.Length >= 348 && (Size(head, false) is 348 or 540 || Size(head, true) is 348 or 540);

    private static int Size(ReadOnlySpan<byte> head, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadInt32BigEndian(head) : BinaryPrimitives.ReadInt32LittleEndian(head);

    public static NiftiHeader Parse(ReadOnlySpan<byte> bytes)
    {
        var head = bytes.ToArray();
        if (bytes.Length < 348)
            throw ImageException.Malformed("the NIfTI header is shorter than 348 bytes");
        var bigEndian = Size(bytes, false) is not (348 or 540);
        var size = Size(bytes, bigEndian);
        if (size == 540 && bytes.Length < 540)
            throw ImageException.Malformed("the NIfTI-2 header is shorter than 540 bytes");
        short I16(int at) => bigEndian ? BinaryPrimitives.ReadInt16BigEndian(head.AsSpan(at)) : BinaryPrimitives.ReadInt16LittleEndian(head.AsSpan(at));
        float F32(int at) => bigEndian ? BinaryPrimitives.ReadSingleBigEndian(head.AsSpan(at)) : BinaryPrimitives.ReadSingleLittleEndian(head.AsSpan(at));
        long I64(int at) => bigEndian ? BinaryPrimitives.ReadInt64BigEndian(head.AsSpan(at)) : BinaryPrimitives.ReadInt64LittleEndian(head.AsSpan(at));
        double F64(int at) => bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(head.AsSpan(at)) : BinaryPrimitives.ReadDoubleLittleEndian(head.AsSpan(at));
        int I32(int at) => bigEndian ? BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(at)) : BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(at));
        NiftiHeader header;
        if (size == 348)
        {
            var rank = I16(40);
            if (rank is < 1 or > 7)
                throw ImageException.Malformed($"the NIfTI header gives {rank} dimensions (1 to 7 are allowed)");
            var dims = Enumerable.Range(0, rank).Select(i => (long)I16(42 + i * 2)).ToArray();
            var pixdim = Enumerable.Range(0, rank).Select(i => (double)F32(80 + i * 4)).ToArray();
            var magic = head.AsSpan(344, 4);
            var offset = magic.SequenceEqual("n+1\0"u8) ? (long)F32(108) : 0;
            header = new NiftiHeader(1, bigEndian, dims, I16(70), I16(72), pixdim, offset, F32(112), F32(116), F32(128), F32(124))
            {
                Orientation = I16(254) > 0 ? FromRows(at => F32(at), 280, 16)
                    : I16(252) > 0 ? NiftiOrientation.FromQuaternion(F32(256), F32(260), F32(264), F32(76)) : null,
            };
        }
        else
        {
            var rank = I64(16);
            if (rank is < 1 or > 7)
                throw ImageException.Malformed($"the NIfTI header gives {rank} dimensions (1 to 7 are allowed)");
            var dims = Enumerable.Range(0, (int)rank).Select(i => I64(24 + i * 8)).ToArray();
            var pixdim = Enumerable.Range(0, (int)rank).Select(i => F64(112 + i * 8)).ToArray();
            header = new NiftiHeader(2, bigEndian, dims, I16(12), I16(14), pixdim, I64(168), F64(176), F64(184), F64(200), F64(192))
            {
                Orientation = I32(348) > 0 ? FromRows(F64, 400, 32)
                    : I32(344) > 0 ? NiftiOrientation.FromQuaternion(F64(352), F64(360), F64(368), F64(104)) : null,
            };
        }
        if (header.Dimensions.Any(d => d < 1) || header.X * header.Y > 1L << 28)
            throw ImageException.Malformed($"the NIfTI volume's dimensions ({string.Join(" x ", header.Dimensions)}) are not usable");
        var bits = BitsOf(header.DataType)
            ?? throw ImageException.Unsupported($"NIfTI voxels of data type {header.DataType} (complex or exotic) are not shown");
        // Slices are sized by bitpix: it must be the data type's, not whatever the header says.
        if (header.BitsPerVoxel != bits)
            throw ImageException.Malformed($"the NIfTI header declares {header.BitsPerVoxel} bits a voxel for data type {header.DataType}, which has {bits}");
        return header;
    }

    /// <summary>The sform's three rows (srow_x, srow_y, srow_z), each of four numbers <paramref name="stride"/> bytes apart in all.</summary>
    private static NiftiOrientation? FromRows(Func<int, double> read, int start, int stride)
    {
        var matrix = new double[3, 3];
        for (var row = 0; row < 3; row++)
        {
            for (var column = 0; column < 3; column++)
                matrix[row, column] = read(start + row * stride + column * (stride / 4));
        }
        return NiftiOrientation.FromMatrix(matrix);
    }

    private static int? BitsOf(int dataType) => dataType switch
    {
        2 or 256 => 8,
        4 or 512 => 16,
        128 => 24,
        8 or 16 or 768 or 2304 => 32,
        64 or 1024 or 1280 => 64,
        _ => null,
    };
}
