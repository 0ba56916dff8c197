namespace Tessera.Dicom.Network;

/// <summary>A DIMSE status (PS3.7 annex C) with the error comment that goes with a failure.</summary>
public readonly record struct DimseStatus(ushort Code, string? Comment = null)
{
    public static readonly DimseStatus Success = new(0x0000);

    /// <summary>Pending: a C-FIND match, C-GET/C-MOVE progress.</summary>
    public static DimseStatus Pending => new(0xFF00);

    /// <summary>Pending, with a warning: optional matching keys were not supported (C-FIND).</summary>
    public static DimseStatus PendingWithWarning => new(0xFF01);

    /// <summary>C-FIND / C-MOVE / C-GET failed: the identifier does not match the SOP class (0xA900).</summary>
    public static DimseStatus IdentifierDoesNotMatchSopClass(string comment) => new(0xA900, comment);

    /// <summary>C-FIND / C-MOVE / C-GET failed: unable to process (0xC000).</summary>
    public static DimseStatus UnableToProcess(string comment) => new(0xC000, comment);

    /// <summary>C-MOVE refused: the move destination is unknown (0xA801).</summary>
    public static DimseStatus MoveDestinationUnknown(string comment) => new(0xA801, comment);

    /// <summary>C-MOVE / C-GET refused: out of resources, unable to perform sub-operations (0xA702).</summary>
    public static DimseStatus UnableToPerformSubOperations(string comment) => new(0xA702, comment);

    /// <summary>C-MOVE / C-GET warning: sub-operations complete, one or more failures (0xB000).</summary>
    public static DimseStatus SubOperationsCompleteWithFailures => new(0xB000);

    /// <summary>Cancelled by a C-CANCEL.</summary>
    public static DimseStatus Cancel => new(0xFE00);

    /// <summary>Failure: processing failure (0x0110).</summary>
    public static DimseStatus ProcessingFailure(string comment) => new(0x0110, comment);

    /// <summary>Failure: duplicate SOP instance (0x0111).</summary>
    public static DimseStatus DuplicateSopInstance(string comment) => new(0x0111, comment);

    /// <summary>Refused: SOP class not supported (0x0122).</summary>
    public static DimseStatus SopClassNotSupported(string comment) => new(0x0122, comment);

    /// <summary>Refused: not authorized (0x0124).</summary>
    public static DimseStatus NotAuthorized(string comment) => new(0x0124, comment);

    /// <summary>Unrecognized operation (0x0211).</summary>
    public static DimseStatus UnrecognizedOperation(string comment) => new(0x0211, comment);

    /// <summary>C-STORE refused: out of resources (0xA700).</summary>
    public static DimseStatus OutOfResources(string comment) => new(0xA700, comment);

    /// <summary>C-STORE error: data set does not match SOP class (0xA900).</summary>
    public static DimseStatus DataSetDoesNotMatchSopClass(string comment) => new(0xA900, comment);

    /// <summary>C-STORE error: cannot understand (0xC000).</summary>
    public static DimseStatus CannotUnderstand(string comment) => new(0xC000, comment);

    public bool IsSuccess => Code == 0;

    public bool IsPending => Code is 0xFF00 or 0xFF01;

    /// <summary>Warnings: 0001, Bxxx, 0107 (attribute list error), 0116 (value out of range).</summary>
    public bool IsWarning => Code is 0x0001 or 0x0107 or 0x0116 || (Code & 0xF000) == 0xB000;

    public bool IsFailure => !IsSuccess && !IsPending && !IsWarning && Code != 0xFE00;

    public override string ToString() => Comment is null ? $"0x{Code:X4}" : $"0x{Code:X4} ({Comment})";
}

/// <summary>The sub-operations of a C-MOVE or C-GET so far (PS3.7 9.3.3.2, 9.3.4.2).</summary>
public sealed record SubOperationCounts(int Remaining, int Completed, int Failed, int Warning)
{
    /// <summary>The counts on a response: all four while pending or cancelled, no remaining count on the final one.</summary>
    public void WriteTo(DicomDataset command, bool final)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!final)
            command.SetUInt16(DicomTags.NumberOfRemainingSuboperations, (ushort)Math.Min(Remaining, ushort.MaxValue));
        command.SetUInt16(DicomTags.NumberOfCompletedSuboperations, (ushort)Math.Min(Completed, ushort.MaxValue));
        command.SetUInt16(DicomTags.NumberOfFailedSuboperations, (ushort)Math.Min(Failed, ushort.MaxValue));
        command.SetUInt16(DicomTags.NumberOfWarningSuboperations, (ushort)Math.Min(Warning, ushort.MaxValue));
    }

    public static SubOperationCounts Read(DicomDataset command)
    {
        ArgumentNullException.ThrowIfNull(command);
        int Get(DicomTag tag) => (int)(command.GetInteger(tag) ?? 0);
        return new(Get(DicomTags.NumberOfRemainingSuboperations), Get(DicomTags.NumberOfCompletedSuboperations),
            Get(DicomTags.NumberOfFailedSuboperations), Get(DicomTags.NumberOfWarningSuboperations));
    }
}
