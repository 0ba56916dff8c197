using Microsoft.AspNetCore.Http;
using Shouldly;
using Tessera.Archive;
using Tessera.Dicom;
using Tessera.Imaging.Display;
using Tessera.Server.DicomWeb;

namespace Tessera.Server.Tests.DicomWeb;

/// <summary>Media type and transfer syntax negotiation (PS3.18 8.7) and the rendering parameters (8.3.5.1), without a server.</summary>
public sealed class NegotiationTests
{
    private const string ExplicitLittle = "1.2.840.10008.1.2.1";
    private const string JpegBaseline = "1.2.840.10008.1.2.4.50";
    private const string JpegLossless = "1.2.840.10008.1.2.4.70";
    private const string Jpeg2000 = "1.2.840.10008.1.2.4.90";

    private static Selection? Instance(string storedSyntax, params string[] accept) =>
        RetrieveNegotiation.Select(AcceptHeader.Parse(accept), RetrieveNegotiation.InstanceForms(storedSyntax), DicomMediaTypes.Dicom, singlePart: true);

    private static Selection? Frames(string storedSyntax, bool singlePart, params string[] accept) =>
        RetrieveNegotiation.Select(AcceptHeader.Parse(accept), RetrieveNegotiation.FrameForms(TransferSyntax.Lookup(storedSyntax)), DicomMediaTypes.OctetStream, singlePart);

    [Theory]
    [InlineData(new string[0], ExplicitLittle, false)]
    [InlineData(new[] { "*/*" }, ExplicitLittle, false)]
    [InlineData(new[] { "multipart/related; type=\"application/dicom\"" }, ExplicitLittle, false)]
    [InlineData(new[] { "multipart/related" }, ExplicitLittle, false)]
    [InlineData(new[] { "multipart/related; type=\"application/dicom\"; transfer-syntax=*" }, Jpeg2000, true)]
    [InlineData(new[] { "multipart/related; type=application/dicom; transfer-syntax=1.2.840.10008.1.2.4.90" }, Jpeg2000, true)]
    [InlineData(new[] { "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.1, multipart/related; type=\"application/dicom\"; transfer-syntax=*" }, Jpeg2000, true)]
    [InlineData(new[] { "multipart/related; type=\"application/dicom\"; transfer-syntax=*; q=0.4", "multipart/related; type=\"application/dicom\"; q=0.5" }, ExplicitLittle, false)]
    public void Instance_StoredInJpeg2000_DefaultIsExplicitLittleEndian_StarOrItsUidIsAsStored(string[] accept, string syntax, bool asStored)
    {
        var selection = Instance(Jpeg2000, accept).ShouldNotBeNull();

        selection.Representation.TransferSyntaxUid.ShouldBe(syntax);
        selection.Representation.AsStored.ShouldBe(asStored);
        selection.Representation.MediaType.ShouldBe(DicomMediaTypes.Dicom);
        selection.Multipart.ShouldBeTrue();
    }

    [Fact]
    public void Instance_NothingAcceptable_IsNull_AndTheRefusalNamesEveryForm()
    {
        Instance(Jpeg2000, "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.4.50").ShouldBeNull();
        Instance(Jpeg2000, "application/dicom+json").ShouldBeNull();
        Instance(Jpeg2000, "multipart/related; type=\"application/dicom\"; q=0").ShouldBeNull();

        var text = RetrieveNegotiation.Refusal("Instance 1.2.3", Jpeg2000, RetrieveNegotiation.InstanceForms(Jpeg2000), AcceptHeader.Parse(["image/png"]));
        text.ShouldContain("JPEG 2000 Image Compression (Lossless Only)");
        text.ShouldContain($"transfer-syntax={ExplicitLittle}");
        text.ShouldContain($"transfer-syntax={Jpeg2000}");
        text.ShouldContain("Accepted: image/png");
    }

    [Fact]
    public void Instance_SinglePart_OnlyForOneObject()
    {
        var single = Instance(JpegBaseline, "application/dicom").ShouldNotBeNull();
        single.Multipart.ShouldBeFalse();
        single.Representation.TransferSyntaxUid.ShouldBe(ExplicitLittle);
        RetrieveNegotiation.Select(AcceptHeader.Parse(["application/dicom"]), RetrieveNegotiation.InstanceForms(JpegBaseline), DicomMediaTypes.Dicom, singlePart: false)
            .ShouldBeNull();
    }

    [Fact]
    public void Instance_VideoCannotBeDecoded_DefaultFallsBackToAsStored_ExplicitIsRefused()
    {
        const string mpeg2 = "1.2.840.10008.1.2.4.100";
        RetrieveNegotiation.InstanceForms(mpeg2).ShouldHaveSingleItem().AsStored.ShouldBeTrue();
        Instance(mpeg2, "*/*").ShouldNotBeNull().Representation.TransferSyntaxUid.ShouldBe(mpeg2);
        Instance(mpeg2, $"multipart/related; type=\"application/dicom\"; transfer-syntax={ExplicitLittle}").ShouldBeNull();
    }

    [Theory]
    [InlineData("multipart/related; type=\"application/octet-stream\"", "application/octet-stream", ExplicitLittle)]
    [InlineData("multipart/related; type=\"application/octet-stream\"; transfer-syntax=1.2.840.10008.1.2.1", "application/octet-stream", ExplicitLittle)]
    [InlineData("multipart/related; type=\"application/octet-stream\"; transfer-syntax=*", "image/jpeg", JpegBaseline)]
    [InlineData("multipart/related; type=\"image/jpeg\"", "image/jpeg", JpegBaseline)]
    [InlineData("multipart/related; type=\"image/jpeg\"; transfer-syntax=1.2.840.10008.1.2.4.50", "image/jpeg", JpegBaseline)]
    [InlineData("multipart/related; type=\"image/*\"", "image/jpeg", JpegBaseline)]
    [InlineData("multipart/related; type=\"image/jpeg\"; q=0.5, multipart/related; type=\"application/octet-stream\"", "application/octet-stream", ExplicitLittle)]
    [InlineData("multipart/related; type=\"image/jpeg\", multipart/related; type=\"application/octet-stream\"", "image/jpeg", JpegBaseline)]
    [InlineData("multipart/related; type=\"application/octet-stream\", multipart/related; type=\"image/jpeg\"", "image/jpeg", JpegBaseline)]
    public void Frames_OfJpegBaseline_AsStoredForTheirOwnTypeOrStar_DecodedForOctetStream(string accept, string mediaType, string syntax)
    {
        var selection = Frames(JpegBaseline, false, accept).ShouldNotBeNull();

        selection.Representation.MediaType.ShouldBe(mediaType);
        selection.Representation.TransferSyntaxUid.ShouldBe(syntax);
        selection.Representation.AsStored.ShouldBe(mediaType != "application/octet-stream");
    }

    [Fact]
    public void Frames_MediaTypesThatDoNotFit_AreRefused_ButNativeFramesAlwaysFitOctetStream()
    {
        Frames(JpegBaseline, false, "multipart/related; type=\"image/jp2\"").ShouldBeNull();
        Frames(JpegBaseline, false, $"multipart/related; type=\"image/jpeg\"; transfer-syntax={JpegLossless}").ShouldBeNull();
        Frames(JpegBaseline, false, "image/jpeg").ShouldBeNull(); // several frames: single part is not possible
        Frames(JpegBaseline, true, "image/jpeg").ShouldNotBeNull().Multipart.ShouldBeFalse();
        Frames(ExplicitLittle, false, "multipart/related; type=\"image/jpeg\"").ShouldBeNull();
        var native = Frames("1.2.840.10008.1.2", false, "multipart/related; type=\"application/octet-stream\"; transfer-syntax=*").ShouldNotBeNull();
        native.Representation.ShouldBe(new Representation(DicomMediaTypes.OctetStream, ExplicitLittle, AsStored: true));
    }

    [Fact]
    public void AcceptHeader_OrdersByWeight_KeepsTheClientsOrderOnTies_DropsBrokenAndZeroWeightRanges()
    {
        var accept = AcceptHeader.Parse(["image/png; q=0.5, image/jpeg", "image/gif; q=0.5, text/html; q=0, image/webp; q=2, bad"]);

        accept.Ranges.Select(r => r.MediaType).ShouldBe(["image/jpeg", "image/png", "image/gif"]);
        accept.Given.ShouldBeTrue();
        AcceptHeader.Parse([]).Effective.ShouldBe([MediaRange.Any]);
        MediaRange.TypeMatches("image/*", "image/jpeg").ShouldBeTrue();
        MediaRange.TypeMatches("image/*", "video/mpeg").ShouldBeFalse();
    }

    [Theory]
    [InlineData(new string[0], "image/jpeg", false)]
    [InlineData(new[] { "image/png" }, "image/png", false)]
    [InlineData(new[] { "image/gif, image/png;q=0.8, image/jpeg;q=0.9" }, "image/jpeg", false)]
    [InlineData(new[] { "image/*" }, "image/jpeg", false)]
    [InlineData(new[] { "multipart/related; type=\"image/png\"" }, "image/png", true)]
    public void Rendered_JpegByDefault_PngOnRequest(string[] accept, string mediaType, bool multipart)
    {
        var form = RenderedNegotiation.Select(AcceptHeader.Parse(accept), singleAllowed: true).ShouldNotBeNull();

        form.ShouldBe(new RenderedForm(mediaType, multipart));
    }

    [Fact]
    public void Rendered_SeveralImages_NeedMultipart_GifAndVideoAreNotRendered()
    {
        RenderedNegotiation.Select(AcceptHeader.Parse(["image/jpeg"]), singleAllowed: false).ShouldBeNull();
        RenderedNegotiation.Select(AcceptHeader.Parse(["*/*"]), singleAllowed: false).ShouldBe(new RenderedForm("image/jpeg", true));
        RenderedNegotiation.Select(AcceptHeader.Parse(["image/gif", "video/mp4"]), singleAllowed: true).ShouldBeNull();
    }

    [Fact]
    public void RenderParameters_ParseWindowViewportQuality_RefuseNonsense()
    {
        var query = new QueryCollection(new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>
        {
            ["window"] = "-600.5,1500,linear-exact",
            ["viewport"] = "512,256,10,20,-100,50",
            ["quality"] = "70",
        });

        var (window, viewport, quality) = RenderParameters.Parse(query);

        window.ShouldBe(new Window(-600.5, 1500, WindowFunction.LinearExact));
        viewport.ShouldBe(new Tessera.Imaging.Dicom.Viewport(512, 256, 10, 20, -100, 50));
        quality.ShouldBe(70);
        RenderParameters.Parse(new QueryCollection()).ShouldBe((null, null, null));
        foreach (var (key, value) in new[] { ("window", "1,0.5"), ("window", "1,2,3,4"), ("viewport", "4097,10"), ("viewport", "10,10,-1,0,5,5"), ("quality", "x") })
        {
            Should.Throw<TesseraException>(() => RenderParameters.Parse(new QueryCollection(new Dictionary<string, Microsoft.Extensions.Primitives.StringValues> { [key] = value })))
                .Kind.ShouldBe(ErrorKind.Invalid);
        }
    }
}
