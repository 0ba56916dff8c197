using Tessera.Archive;
using Tessera.Archive.Dicom;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Dicom;
using Tessera.Server.Imaging;
using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Imaging;

namespace Tessera.Server.DicomWeb;

internal static partial class WadoEndpoints
{
    /// <summary>
    /// Frames of an instance's pixel data (1-based <paramref name="numbers"/>; every frame when null), as negotiated:
    /// native pixels and compressed frames as stored, copied from the blob by range; or decoded one at a time to
    /// little-endian octet-stream (PS3.18 8.7.3.3.1), the first before anything is sent.
    /// </summary>
    private static async Task WriteFramesAsync(HttpContext context, Stream content, DicomFile file, string sop, IReadOnlyList<int>? numbers, DicomTranscoder transcoder)
    {
        var dataset = file.Dataset;
        var pixelData = dataset[DicomTags.PixelData] ?? throw TesseraException.NotFound($"Pixel data of instance {sop}");
        // 1-bit frames need not start on a byte, and big-endian samples wider than 16 bits are not put right by
        // swapping OW's words: both are cut out by the decoder (and 1-bit ones packed again from a byte).
        var bits = dataset.GetInteger(DicomTags.BitsAllocated);
        var cutByDecoder = pixelData is DicomValueElement && (bits == 1 || file.Syntax.BigEndian && bits > 16);
        var located = cutByDecoder ? null : Locate(file);
        var count = located?.Count ?? (int)Math.Clamp(dataset.GetInteger(DicomTags.NumberOfFrames) ?? 1, 1, int.MaxValue);
        if (count == 0)
            throw TesseraException.NotFound($"Pixel data of instance {sop}");
        var wanted = numbers ?? Enumerable.Range(1, count).ToList();
        if (wanted.Max() is var highest && highest > count)
            throw TesseraException.NotFound($"Frame {highest} of instance {sop} (it has {count})");

        var accept = AcceptHeader.Parse(context.Request);
        var forms = RetrieveNegotiation.FrameForms(file.Syntax);
        var selection = RetrieveNegotiation.Select(accept, forms, DicomMediaTypes.OctetStream, singlePart: wanted.Count == 1)
            ?? throw new TesseraException(ErrorKind.NotAcceptable, RetrieveNegotiation.Refusal($"The pixel data of instance {sop}", file.Syntax.Uid, forms, accept));
        var form = selection.Representation;
        var partType = $"{form.MediaType}; transfer-syntax={form.TransferSyntaxUid}";
        var ct = context.RequestAborted;
        var body = context.Response.Body;
        var multipart = new MultipartRelatedWriter(body);

        if (form.AsStored && located is not null)
        {
            if (!selection.Multipart)
            {
                context.Response.ContentType = partType;
                context.Response.ContentLength = located[wanted[0] - 1].Sum(s => s.Length);
                foreach (var segment in located[wanted[0] - 1])
                    await BlobBulkDataSource.CopyAsync(content, segment, body, ct);
                return;
            }
            context.Response.ContentType = multipart.ContentType(form.MediaType);
            foreach (var number in wanted)
            {
                var frame = located[number - 1];
                await multipart.StartPartAsync(partType, frame.Sum(s => s.Length), ct);
                foreach (var segment in frame)
                    await BlobBulkDataSource.CopyAsync(content, segment, body, ct);
            }
            await multipart.EndAsync(ct);
            return;
        }

        var pixels = Decodable(() => DicomPixelData.Open(file, transcoder.Limits), sop);
        if (highest > pixels.FrameCount)
            throw TesseraException.NotFound($"Frame {highest} of instance {sop} (it declares {pixels.FrameCount})");
        var first = await DecodableAsync(() => transcoder.FrameAsync(pixels, wanted[0] - 1, ct), sop);
        if (!selection.Multipart)
        {
            context.Response.ContentType = partType;
            context.Response.ContentLength = first.Bytes.Length;
            await body.WriteAsync(first.Bytes, ct);
            return;
        }
        context.Response.ContentType = multipart.ContentType(form.MediaType);
        for (var i = 0; i < wanted.Count; i++)
        {
            var bytes = i == 0 ? first.Bytes : (await transcoder.FrameAsync(pixels, wanted[i] - 1, ct)).Bytes;
            await multipart.StartPartAsync(partType, bytes.Length, ct);
            await body.WriteAsync(bytes, ct);
        }
        await multipart.EndAsync(ct);
    }

    /// <summary>Runs a step of decoding; pixel data that cannot be decoded is not acceptable uncompressed (406), with the reason.</summary>
    private static T Decodable<T>(Func<T> step, string sop)
    {
        try
        {
            return step();
        }
        catch (ImageException e) when (e.Kind == ImageErrorKind.Unsupported)
        {
            throw NotDecodable(sop, e);
        }
    }

    private static async Task<T> DecodableAsync<T>(Func<Task<T>> step, string sop)
    {
        try
        {
            return await step();
        }
        catch (ImageException e) when (e.Kind == ImageErrorKind.Unsupported)
        {
            throw NotDecodable(sop, e);
        }
    }

    private static TesseraException NotDecodable(string sop, ImageException e) => new(ErrorKind.NotAcceptable,
        $"The frames of instance {sop} cannot be sent uncompressed: {e.Message}. Ask for transfer-syntax=* to have them as stored.");
}
