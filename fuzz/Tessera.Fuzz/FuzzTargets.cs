using Tessera.Fuzz.Targets;

namespace Tessera.Fuzz;

/// <summary>Every target, in one list: fuzz/ci.sh runs them all, in this order.</summary>
public static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new DicomFileTarget(),
        new PduTarget(),
        new DicomJsonTarget(),
        new PngTarget(),
        new TiffTarget(),
        new JpegTarget(),
        new NiftiTarget(),
    ];

    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);
}
