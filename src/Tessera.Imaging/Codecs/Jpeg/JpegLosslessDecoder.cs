using System.Buffers.Binary;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Codecs.Jpeg;

/// <summary>
/// JPEG lossless, process 14 (ITU T.81 Annex H): Huffman-coded differences from one of seven predictors, any
/// precision from 2 to 16 bits, a point transform, restart intervals, interleaved or one scan per component.
/// Covers DICOM's 1.2.840.10008.1.2.4.57 and its selection-value-1 subset 1.2.840.10008.1.2.4.70.
/// </summary>
internal static class JpegLosslessDecoder
{
    public static PixelFrame Decode(byte[] data, PixelLayout layout, DecodeLimits limits)
    {
        var jpeg = new JpegStream(data);
        int[][]? planes = null;
        jpeg.Run(scan =>
        {
            if (jpeg.SofMarker != 0xC3)
                throw ImageException.Malformed("JPEG lossless data must have a SOF3 frame header");
            if (planes is null)
            {
                // The planes are sized by the SOF3 segment: it must be the DICOM header's frame.
                limits.CheckDeclared("JPEG frame header (SOF3)", jpeg.Width, jpeg.Height, jpeg.Components.Length, layout);
                var size = DecodeLimits.BufferSize("a JPEG lossless plane", jpeg.Width, jpeg.Height);
                planes = jpeg.Components.Select(_ => new int[size]).ToArray();
            }
            return DecodeScan(jpeg, scan, planes);
        });
        if (planes is null)
            throw ImageException.Malformed("the JPEG lossless data has no scan");
        return Output(planes, layout);
    }

    private static int DecodeScan(JpegStream jpeg, JpegScan scan, int[][] planes)
    {
        if (jpeg.Components.Any(c => c.H != 1 || c.V != 1) && scan.Components.Length > 1)
            throw ImageException.Unsupported("JPEG lossless with subsampled components is not supported");
        var (width, height) = (jpeg.Width, jpeg.Height);
        var predictor = scan.Ss;
        if (predictor is < 1 or > 7)
            throw ImageException.Malformed($"the JPEG lossless scan names predictor {predictor} (1 to 7 are defined)");
        var pt = scan.Al;
        var initial = 1 << (jpeg.Precision - pt - 1);
        var components = scan.Components;
        var tables = components.Select(c => JpegStream.Table(jpeg.DcTables, c.DcTable, "DC")).ToArray();
        var targets = components.Select(c => planes[Array.IndexOf(jpeg.Components, c)]).ToArray();
        var reader = new JpegBitReader(jpeg.Data, scan.DataStart);
        var restart = jpeg.RestartInterval;
        var left = restart;
        var firstLine = true;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var first = false;
                if (restart > 0)
                {
                    if (left == 0)
                    {
                        reader.Restart();
                        left = restart;
                        firstLine = true;
                        first = true;
                    }
                    left--;
                }
                for (var c = 0; c < components.Length; c++)
                {
                    var plane = targets[c];
                    var i = y * width + x;
                    int prediction;
                    if ((y == 0 && x == 0) || first)
                        prediction = initial;
                    else if (firstLine || y == 0)
                        prediction = x > 0 ? plane[i - 1] : plane[i - width];
                    else if (x == 0)
                        prediction = plane[i - width];
                    else
                        prediction = Predict(predictor, plane[i - 1], plane[i - width], plane[i - width - 1]);
                    var size = tables[c].Decode(reader);
                    var diff = size == 16 ? 32768 : reader.ReadSigned(size);
                    plane[i] = (prediction + diff) & 0xFFFF;
                }
                if (x == width - 1 && firstLine && !first)
                    firstLine = false;
            }
            if (firstLine && restart == 0)
                firstLine = false;
        }
        if (pt > 0)
        {
            foreach (var plane in targets)
            {
                for (var i = 0; i < plane.Length; i++)
                    plane[i] <<= pt;
            }
        }
        return reader.EndOfScan();
    }

    private static int Predict(int predictor, int ra, int rb, int rc) => predictor switch
    {
        1 => ra,
        2 => rb,
        3 => rc,
        4 => ra + rb - rc,
        5 => ra + ((rb - rc) >> 1),
        6 => rb + ((ra - rc) >> 1),
        _ => (ra + rb) >> 1,
    };

    private static PixelFrame Output(int[][] planes, PixelLayout layout)
    {
        var bytes = layout.BytesPerSample;
        var output = new byte[layout.DecodedBytes];
        var samples = planes.Length;
        for (var s = 0; s < samples; s++)
        {
            var plane = planes[s];
            for (var i = 0; i < plane.Length; i++)
            {
                var to = (i * samples + s) * bytes;
                if (bytes == 1)
                    output[to] = (byte)plane[i];
                else
                    BinaryPrimitives.WriteUInt16LittleEndian(output.AsSpan(to), (ushort)plane[i]);
            }
        }
        return new PixelFrame(layout with { Planar = false }, output);
    }
}
