using System.Buffers.Binary;
using Tessera.Dicom.IO;

namespace Tessera.Dicom.Network;

/// <summary>DIMSE command sets (PS3.7 sections 9 and 10): always implicit VR little endian, group 0000 only.</summary>
public static class DimseCommand
{
    public const ushort CStoreRequest = 0x0001;
    public const ushort CStoreResponse = 0x8001;
    public const ushort CGetRequest = 0x0010;
    public const ushort CGetResponse = 0x8010;
    public const ushort CFindRequest = 0x0020;
    public const ushort CFindResponse = 0x8020;
    public const ushort CMoveRequest = 0x0021;
    public const ushort CMoveResponse = 0x8021;
    public const ushort CEchoRequest = 0x0030;
    public const ushort CEchoResponse = 0x8030;
    public const ushort CCancelRequest = 0x0FFF;
    public const ushort NEventReportRequest = 0x0100;
    public const ushort NEventReportResponse = 0x8100;
    public const ushort NActionRequest = 0x0130;
    public const ushort NActionResponse = 0x8130;

    /// <summary>CommandDataSetType when no dataset follows the command.</summary>
    public const ushort NoDataSet = 0x0101;

    public const ushort Success = 0x0000;
    /// <summary>Refused: SOP class not supported.</summary>
    public const ushort SopClassNotSupported = 0x0122;
    /// <summary>Unrecognized operation.</summary>
    public const ushort UnrecognizedOperation = 0x0211;

    /// <summary>Encodes a command set, putting its CommandGroupLength in front.</summary>
    public static byte[] Encode(DicomDataset command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Remove(DicomTags.CommandGroupLength);
        using var body = new MemoryStream();
        DicomWriter.WriteDataset(body, command, TransferSyntax.ImplicitVrLittleEndian);
        var encoded = new byte[12 + body.Length];
        // (0000,0000) UL, implicit VR: tag, 4-byte length 4, the value.
        BinaryPrimitives.WriteUInt32LittleEndian(encoded.AsSpan(4), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(encoded.AsSpan(8), (uint)body.Length);
        body.GetBuffer().AsSpan(0, (int)body.Length).CopyTo(encoded.AsSpan(12));
        return encoded;
    }

    /// <summary>Decodes a command set; anything that is not one is a <see cref="DicomNetworkException"/>.</summary>
    public static DicomDataset Decode(ReadOnlyMemory<byte> bytes)
    {
        DicomDataset command;
        try
        {
            command = DicomReader.ReadDataset(new MemoryStream(bytes.ToArray(), writable: false), TransferSyntax.ImplicitVrLittleEndian);
        }
        catch (DicomException e)
        {
            throw new DicomNetworkException($"A DIMSE command set cannot be read: {e.Message}", AbortReason.InvalidPduParameterValue, e);
        }
        if (command.Any(e => e.Tag.Group != 0) || command.GetInteger(DicomTags.CommandField) is null)
            throw new DicomNetworkException("A DIMSE command set holds elements outside group 0000 or no CommandField.", AbortReason.InvalidPduParameterValue);
        return command;
    }

    public static ushort Field(DicomDataset command) => (ushort)(command.GetInteger(DicomTags.CommandField) ?? 0);

    /// <summary>Whether a dataset follows the command.</summary>
    public static bool HasDataSet(DicomDataset command) => command.GetInteger(DicomTags.CommandDataSetType) is { } type && type != NoDataSet;

    /// <summary>A request's command set (its MessageID is set when it is sent); C-STORE, C-FIND, C-MOVE and C-GET carry a medium priority.</summary>
    public static DicomDataset Request(ushort commandField, string affectedSopClass, string? affectedSopInstance = null)
    {
        var command = new DicomDataset();
        command.SetString(DicomTags.AffectedSopClassUid, DicomVr.UI, affectedSopClass);
        command.SetUInt16(DicomTags.CommandField, commandField);
        command.SetUInt16(DicomTags.MessageId, 0);
        if (commandField is CStoreRequest or CFindRequest or CMoveRequest or CGetRequest)
            command.SetUInt16(DicomTags.Priority, 0);
        command.SetUInt16(DicomTags.CommandDataSetType, NoDataSet);
        if (affectedSopInstance is not null)
            command.SetString(DicomTags.AffectedSopInstanceUid, DicomVr.UI, affectedSopInstance);
        return command;
    }

    /// <summary>The response to <paramref name="request"/> with <paramref name="status"/> and no dataset.</summary>
    public static DicomDataset Response(DicomDataset request, ushort status, string? errorComment = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new DicomDataset();
        // DIMSE-N requests name a requested SOP class and instance; their responses name them as affected (PS3.7 10.1).
        if ((request.GetString(DicomTags.AffectedSopClassUid) ?? request.GetString(DicomTags.RequestedSopClassUid)) is { Length: > 0 } sopClass)
            response.SetString(DicomTags.AffectedSopClassUid, DicomVr.UI, sopClass);
        response.SetUInt16(DicomTags.CommandField, (ushort)(Field(request) | 0x8000));
        response.SetUInt16(DicomTags.MessageIdBeingRespondedTo, (ushort)(request.GetInteger(DicomTags.MessageId) ?? 0));
        response.SetUInt16(DicomTags.CommandDataSetType, NoDataSet);
        response.SetUInt16(DicomTags.Status, status);
        if ((request.GetString(DicomTags.AffectedSopInstanceUid) ?? request.GetString(DicomTags.RequestedSopInstanceUid)) is { Length: > 0 } instance)
            response.SetString(DicomTags.AffectedSopInstanceUid, DicomVr.UI, instance);
        foreach (var echoed in new[] { DicomTags.EventTypeId, DicomTags.ActionTypeId })
        {
            if (request.GetInteger(echoed) is { } type)
                response.SetUInt16(echoed, (ushort)type);
        }
        if (errorComment is not null && status != Success)
            response.SetString(DicomTags.ErrorComment, DicomVr.LO, errorComment.Length > 64 ? errorComment[..64] : errorComment);
        return response;
    }
}
