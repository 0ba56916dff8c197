using System.IO.Compression;
using Tessera.Imaging.Display;
using Tessera.Imaging.Sources;

namespace Tessera.Imaging.Tests.Sources;

/// <summary>libvips' MNI template (avg152T1, 91 x 109 x 91, big-endian NIfTI-1, uint8) sliced across each axis.</summary>
public sealed class NiftiSourceTests
{
    private static byte[] Volume()
    {
        using var gz = new GZipStream(File.OpenRead(TestCorpus.File("libvips/avg152T1_LR_nifti.nii.gz")), CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        gz.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static NiftiSource Open(byte[] volume, SliceAxis axis) =>
        new(NiftiHeader.Parse(volume), () => new MemoryStream(volume, writable: false), axis);

    [Fact]
    public void Header_BigEndianNifti1_ReadsDimensionsAndType()
    {
        var header = NiftiHeader.Parse(Volume());
        header.BigEndian.ShouldBeTrue();
        (header.X, header.Y, header.Z).ShouldBe((91L, 109L, 91L));
        header.DataType.ShouldBe(2);
        header.VoxelSize[0].ShouldBe(2, 0.001);
    }

    [Theory]
    [InlineData(SliceAxis.Z, 91, 109, 91)]
    [InlineData(SliceAxis.Y, 91, 91, 109)]
    [InlineData(SliceAxis.X, 109, 91, 91)]
    public void Slices_EachAxis_HaveItsGeometryAndTheVoxelsOfTheVolume(SliceAxis axis, int width, int height, int slices)
    {
        var volume = Volume();
        var header = NiftiHeader.Parse(volume);
        using var source = Open(volume, axis);
        source.Description.Width.ShouldBe(width);
        source.Description.Height.ShouldBe(height);
        source.Description.SizeZ.ShouldBe(slices);
        source.Description.Windowed.ShouldBeTrue();
        var index = slices / 2;
        var slice = source.Slice(index, 0);
        for (var row = 0; row < height; row += 7)
        {
            for (var column = 0; column < width; column += 5)
            {
                // The sform runs x towards the patient's left, y anterior, z superior: rows are shown top-down from
                // the highest index (anterior, superior up); axial and coronal columns run right to left as stored
                // (the patient's right on the left); sagittal columns anterior to posterior, slices right to left.
                var up = height - 1 - row;
                var (x, y, z) = axis switch
                {
                    SliceAxis.Z => (column, up, index),
                    SliceAxis.Y => (column, index, up),
                    _ => ((int)header.X - 1 - index, width - 1 - column, up),
                };
                var expected = volume[header.VoxelOffset + ((long)z * header.Y + y) * header.X + x];
                slice.Data[row * width + column].ShouldBe(expected, $"voxel {x},{y},{z}");
            }
        }
        var image = source.Read(0, new PixelRect(0, 0, width, height), new ImagePlane(index, 0), RenderOptions.Default);
        image.Pixels.Distinct().Count().ShouldBeGreaterThan(50, "the middle slice shows the brain's range of grey");
    }

    [Fact]
    public void Header_Sform_GivesTheVoxelAxesOrientation()
    {
        var orientation = NiftiHeader.Parse(Volume()).Orientation;
        orientation.ShouldNotBeNull();
        orientation.WorldOfVoxel.ShouldBe([0, 1, 2]);
        orientation.SignOfVoxel.ShouldBe([-1, 1, 1], "avg152T1_LR's sform runs x towards the left");
    }

    [Fact]
    public void Orientation_Quaternion_IdentityWithNegativeQfac_FlipsTheThirdAxis()
    {
        var orientation = NiftiOrientation.FromQuaternion(0, 0, 0, -1);
        orientation.ShouldNotBeNull();
        orientation.WorldOfVoxel.ShouldBe([0, 1, 2]);
        orientation.SignOfVoxel.ShouldBe([1, 1, -1]);
    }

    [Fact]
    public void Orientation_SagittallyStoredVolume_AxialViewCutsTheFirstVoxelAxis()
    {
        // Voxel i runs superior, j anterior, k towards the left: axial slices are across i.
        var orientation = NiftiOrientation.FromMatrix(new double[,] { { 0, 0, -1 }, { 0, 1, 0 }, { 1, 0, 0 } });
        orientation.ShouldNotBeNull();
        orientation.VoxelOf(2).ShouldBe(0);
        orientation.VoxelOf(0).ShouldBe(2);
        orientation.SignOfVoxel[2].ShouldBe(-1);
        NiftiOrientation.FromMatrix(new double[,] { { 1, 1, 0 }, { 0, 0, 0 }, { 0, 0, 1 } }).ShouldBeNull("two voxel axes along one world axis");
    }

    [Fact]
    public void DefaultWindow_IsTheVolumes_SameOnEveryAxis()
    {
        var volume = Volume();
        var windows = new[] { SliceAxis.Z, SliceAxis.Y, SliceAxis.X }.Select(axis =>
        {
            using var source = Open(volume, axis);
            return source.Description.DefaultWindow;
        }).ToList();
        windows[0].ShouldNotBeNull();
        windows[0]!.Value.Width.ShouldBeGreaterThan(50, "the brain's range of values, not one slice's edge");
        windows.Distinct().Count().ShouldBe(1, "every axis is shown in the same window");
    }

    [Fact]
    public void DefaultWindow_TruncatedVolume_IsNone_AndOpeningStillWorks()
    {
        var volume = Volume()[..20000];
        var header = NiftiHeader.Parse(volume);
        using var source = Open(volume, SliceAxis.Z);
        if (header.CalMax <= header.CalMin)
            source.Description.DefaultWindow.ShouldBeNull();
    }

    [Fact]
    public void Slice_TruncatedVolume_FailsAsMalformed()
    {
        var volume = Volume()[..20000];
        using var source = Open(volume, SliceAxis.Z);
        Should.Throw<ImageException>(() => source.Slice(80, 0)).Kind.ShouldBe(ImageErrorKind.Malformed);
    }
}
