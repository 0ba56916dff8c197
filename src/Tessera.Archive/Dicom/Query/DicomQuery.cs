using Tessera.Dicom;

namespace Tessera.Archive.Dicom.Query;

/// <summary>The level a query returns: studies, series or instances (PS3.4 C.6.2.1).</summary>
public enum DicomQueryLevel
{
    Study,
    Series,
    Instance,
}

/// <summary>
/// A query of the DICOM index, as QIDO-RS and C-FIND put it: the level, the matching keys, which
/// attributes to return, and paging. <see cref="StudyInstanceUid"/> and <see cref="SeriesInstanceUid"/>
/// scope a series or instance query to its parents.
/// </summary>
public sealed record DicomQuery(DicomQueryLevel Level)
{
    public string? Project { get; init; }
    public string? StudyInstanceUid { get; init; }
    public string? SeriesInstanceUid { get; init; }

    /// <summary>Matching keys and their values as DICOM writes them (wildcards, UID lists, ranges).</summary>
    public IReadOnlyList<(DicomTag Tag, string Value)> Keys { get; init; } = [];

    /// <summary>Attributes to return beyond the level's defaults.</summary>
    public IReadOnlySet<DicomTag> IncludeFields { get; init; } = new HashSet<DicomTag>();

    /// <summary>Return every attribute available at the level (QIDO's includefield=all).</summary>
    public bool IncludeAll { get; init; }

    /// <summary>Person names match on any name component's start, not only the whole name.</summary>
    public bool FuzzyMatching { get; init; }

    public int Offset { get; init; }
    public int Limit { get; init; } = 100;
}

/// <summary>One answer: the project it comes from and its attributes.</summary>
public sealed record DicomQueryMatch(string Project, DicomDataset Dataset);

/// <summary>The answers, and the matching keys that were not used because the index does not hold them.</summary>
public sealed record DicomQueryResult(IReadOnlyList<DicomQueryMatch> Matches, IReadOnlyList<DicomTag> IgnoredKeys);
