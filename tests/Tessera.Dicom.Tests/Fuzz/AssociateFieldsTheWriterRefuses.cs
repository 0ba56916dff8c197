using System.Buffers.Binary;
using System.Text;
using Shouldly;
using Tessera.Dicom.Network;

namespace Tessera.Dicom.Tests.Fuzz;

/// <summary>
/// Found by fuzz/ (target pdu): PduReader accepted A-ASSOCIATE fields that PduWriter refuses — an AE title of
/// spaces, or with a control character or a backslash; a UID over 64 characters; an implementation version name
/// over 16 — so an acceptor echoing the request's AE titles in its A-ASSOCIATE-AC threw ArgumentException instead
/// of aborting. The reader now refuses them as the invalid PDU parameters they are.
/// </summary>
public sealed class AssociateFieldsTheWriterRefuses
{
    [Theory]
    [InlineData("", "STORESCU")]
    [InlineData("TESSERA", "STORE\\SCU")]
    [InlineData("TESSERA", "\tTESSERA_1V")]
    public void Parse_AssociateRequestWithAnAeTitleTheWriterRefuses_ThrowsInvalidParameter(string called, string calling)
    {
        var error = Should.Throw<DicomNetworkException>(() => Parse(Request(called, calling)));

        error.AbortReason.ShouldBe(AbortReason.InvalidPduParameterValue);
        error.Message.ShouldContain("AE title");
    }

    [Fact]
    public void Parse_AssociateRequestWithAUidOver64Characters_ThrowsInvalidParameter()
    {
        var uid = "1.2.840.10008.5.1.4.1.1.7." + new string('1', 40);
        Should.Throw<DicomNetworkException>(() => Parse(Request(abstractSyntax: uid))).Message.ShouldContain("64 at most");
    }

    [Fact]
    public void Parse_AssociateRequestWithAVersionNameOver16Characters_ThrowsInvalidParameter()
    {
        Should.Throw<DicomNetworkException>(() => Parse(Request(versionName: "1.2.840.10008.5.1.4.1.22.2"))).Message.ShouldContain("16 at most");
    }

    [Fact]
    public void Parse_EmptyVersionName_ReadAsAbsent()
    {
        var read = (AssociateRequest)Parse(Request(versionName: ""));
        read.UserInformation.ImplementationVersionName.ShouldBeNull();
    }

    [Fact]
    public void Parse_WhateverTheReaderAccepts_TheWriterWritesBack()
    {
        var read = (AssociateRequest)Parse(Request("TESSERA", "  ST ORE", versionName: "TOOL_1.0"));

        read.CallingAeTitle.ShouldBe("ST ORE");
        Should.NotThrow(() => PduWriter.Encode(read));
        Should.NotThrow(() => PduWriter.Encode(new AssociateAccept(read.CalledAeTitle, read.CallingAeTitle, [], read.UserInformation)));
    }

    private static Pdu Parse(byte[] pdu) => PduReader.Parse(pdu[0], pdu.AsMemory(6));

    /// <summary>An A-ASSOCIATE-RQ written byte by byte (PS3.8 9.3.2), since PduWriter refuses the fields under test.</summary>
    private static byte[] Request(string called = "TESSERA", string calling = "STORESCU", string abstractSyntax = "1.2.840.10008.1.1", string? versionName = null)
    {
        byte[] maxLength = [0, 0, 0x40, 0];
        byte[] user = [.. Item(0x51, maxLength), .. Item(0x52, "1.2.3"u8), .. versionName is null ? [] : Item(0x55, Encoding.ASCII.GetBytes(versionName))];
        byte[] context = [1, 0, 0, 0, .. Item(0x30, Encoding.ASCII.GetBytes(abstractSyntax)), .. Item(0x40, "1.2.840.10008.1.2"u8)];
        byte[] body =
        [
            0, 1, 0, 0, .. Padded(called), .. Padded(calling), .. new byte[32],
            .. Item(0x10, "1.2.840.10008.3.1.1.1"u8), .. Item(0x20, context), .. Item(0x50, user),
        ];
        var header = new byte[6];
        header[0] = Pdu.AssociateRequestType;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(2), (uint)body.Length);
        return [.. header, .. body];
    }

    private static byte[] Item(byte type, ReadOnlySpan<byte> value)
    {
        var item = new byte[4 + value.Length];
        item[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(item.AsSpan(2), (ushort)value.Length);
        value.CopyTo(item.AsSpan(4));
        return item;
    }

    private static byte[] Padded(string title) => Encoding.ASCII.GetBytes(title.PadRight(16));
}
