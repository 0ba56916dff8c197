using System.Globalization;

namespace Tessera.Archive.Dicom.Query;

/// <summary>
/// What the DICOM index says about a subject, for the subjects table: the patient of its latest study (name, sex,
/// age at that study from the birth date), how many sessions it has (DICOM or not) and the modalities of its series.
/// Values are as stored: a de-identified project shows what de-identification left.
/// </summary>
public sealed record SubjectDicomSummary(string? PatientName, string? PatientSex, string? PatientAge, int Sessions, IReadOnlyList<string> Modalities)
{
    public static SubjectDicomSummary None { get; } = new(null, null, null, 0, []);

    /// <summary>A person name (PS3.5 6.2, family^given^middle^prefix^suffix) as "Family, Given Middle"; its first (alphabetic) group only.</summary>
    public static string? DisplayName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
            return null;
        var parts = name.Split('=')[0].Split('^');
        var family = parts[0].Trim();
        var rest = string.Join(' ', parts.Skip(1).Take(2).Select(p => p.Trim()).Where(p => p.Length > 0));
        return rest.Length == 0 ? family : family.Length == 0 ? rest : $"{family}, {rest}";
    }

    /// <summary>
    /// Age at the study from two DICOM dates (YYYYMMDD): whole years, or months under two years, or days under a
    /// month (as PatientAge is written: 034Y, 018M, 012D, shown "34 y"); null when either date is missing or unreadable.
    /// </summary>
    public static string? AgeAt(string? birthDate, string? studyDate)
    {
        if (!Date(birthDate, out var birth) || !Date(studyDate, out var study) || study < birth)
            return null;
        var months = (study.Year - birth.Year) * 12 + study.Month - birth.Month - (study.Day < birth.Day ? 1 : 0);
        if (months >= 24)
            return $"{months / 12} y";
        return months >= 1 ? $"{months} m" : $"{study.DayNumber - birth.DayNumber} d";
    }

    private static bool Date(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text?.Trim(), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
}
