using Shouldly;
using Tessera.Dicom;

namespace Tessera.Testing;

/// <summary>Asserts that two datasets hold the same elements, values and items, recursively.</summary>
public static class DatasetComparer
{
    public static void ShouldEqual(DicomDataset actual, DicomDataset expected, bool compareVr = true, string path = "")
    {
        actual.Select(e => e.Tag).ToArray().ShouldBe(expected.Select(e => e.Tag).ToArray(), $"tags at {path}/");
        foreach (var want in expected)
        {
            var got = actual[want.Tag]!;
            var at = $"{path}/{want.Tag}";
            if (compareVr)
                got.Vr.ShouldBe(want.Vr, at);
            switch (want)
            {
                case DicomValueElement value:
                    got.ShouldBeOfType<DicomValueElement>(at).Bytes.ToArray().ShouldBe(value.Bytes.ToArray(), at);
                    break;
                case DicomSequence sequence:
                    var items = got.ShouldBeOfType<DicomSequence>(at).Items;
                    items.Count.ShouldBe(sequence.Items.Count, at);
                    for (var i = 0; i < items.Count; i++)
                        ShouldEqual(items[i], sequence.Items[i], compareVr, $"{at}[{i}]");
                    break;
                case DicomFragments fragments:
                    var gotFragments = got.ShouldBeOfType<DicomFragments>(at);
                    gotFragments.OffsetTable.Bytes.ToArray().ShouldBe(fragments.OffsetTable.Bytes.ToArray(), at);
                    gotFragments.Fragments.Count.ShouldBe(fragments.Fragments.Count, at);
                    for (var i = 0; i < fragments.Fragments.Count; i++)
                        gotFragments.Fragments[i].Bytes.ToArray().ShouldBe(fragments.Fragments[i].Bytes.ToArray(), $"{at} fragment {i}");
                    break;
            }
        }
    }
}
