using System.Buffers.Binary;
using System.IO.Compression;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Sources;

namespace Tessera.Imaging.Tests.Bombs;

/// <summary>NIfTI headers whose voxel size or dimensions lie: refused from the header, before a slice is allocated.</summary>
public sealed class NiftiHeaderTests
{
    /// <summary>libvips' MNI template: NIfTI-1, big endian, 91 x 109 x 91 bytes.</summary>
    private static byte[] Volume()
    {
        using var gz = new GZipStream(File.OpenRead(TestCorpus.File("libvips/avg152T1_LR_nifti.nii.gz")), CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        gz.CopyTo(buffer);
        return buffer.ToArray();
    }

    [Fact]
    public void Parse_BitpixUnlikeTheDataType_RefusedAsMalformed()
    {
        var volume = Volume();
        // bitpix (offset 72) sizes every slice: 32000 bits a voxel would make a 91 x 109 slice 40 MB.
        BinaryPrimitives.WriteInt16BigEndian(volume.AsSpan(72), 32000);

        var error = Should.Throw<ImageException>(() => NiftiHeader.Parse(volume));

        error.Kind.ShouldBe(ImageErrorKind.Malformed);
        error.Message.ShouldBe("the NIfTI header declares 32000 bits a voxel for data type 2, which has 8");
    }

    [Fact]
    public void Slice_VolumeLargerThanTheFile_RefusedBeforeAllocating()
    {
        var volume = Volume();
        // 91 x 109 x 30000 voxels declared, 91 x 109 x 91 stored.
        BinaryPrimitives.WriteInt16BigEndian(volume.AsSpan(46), 30000);
        using var source = new NiftiSource(NiftiHeader.Parse(volume), () => new MemoryStream(volume, writable: false), SliceAxis.X);

        var error = Should.Throw<ImageException>(() => source.Slice(0, 0));

        error.Kind.ShouldBe(ImageErrorKind.Malformed);
        error.Message.ShouldContain("truncated");
    }

    [Fact]
    public void Open_SliceOverTheLimit_RefusedAsUnsupported()
    {
        var volume = Volume();
        var header = NiftiHeader.Parse(volume);

        var error = Should.Throw<ImageException>(
            () => new NiftiSource(header, () => new MemoryStream(volume, writable: false), SliceAxis.Z, limits: new DecodeLimits { MaxPixels = 1000 }));

        error.Kind.ShouldBe(ImageErrorKind.Unsupported);
        error.Message.ShouldContain("declares 91×109");
    }
}
