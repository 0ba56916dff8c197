using System.Buffers.Binary;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Codecs.Jpeg;

/// <summary>
/// Sequential DCT JPEG with Huffman coding (ITU T.81 Annex F, processes 1, 2 and 4) at any precision, for the
/// 12-bit data of DICOM's JPEG Extended syntax, which TurboJPEG 2.1 cannot decode. Samples come out as the
/// components were coded (no colour conversion), upsampled to full size.
/// </summary>
internal static class JpegDctDecoder
{
    private static readonly byte[] ZigZag =
    [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
        28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61,
        54, 47, 55, 62, 63,
    ];

    private static readonly float[] Cosines = BuildCosines();

    public static PixelFrame Decode(byte[] data, PixelLayout layout, DecodeLimits limits)
    {
        var jpeg = new JpegStream(data);
        Geometry? geometry = null;
        jpeg.Run(scan =>
        {
            if (jpeg.SofMarker is not (0xC0 or 0xC1))
                throw ImageException.Unsupported($"this JPEG process (SOF 0x{jpeg.SofMarker:X2}) is not supported at {jpeg.Precision} bits");
            if (geometry is null)
            {
                // The coefficient planes are sized by the SOF segment: it must be the DICOM header's frame.
                limits.CheckDeclared("JPEG frame header (SOF)", jpeg.Width, jpeg.Height, jpeg.Components.Length, layout);
                geometry = new Geometry(jpeg);
            }
            return DecodeScan(jpeg, scan, geometry);
        });
        if (geometry is null)
            throw ImageException.Malformed("the JPEG data has no scan");
        return Output(jpeg, geometry, layout);
    }

    /// <summary>The block grid of each component and its coefficients, kept until every scan is read.</summary>
    private sealed class Geometry
    {
        public Geometry(JpegStream jpeg)
        {
            MaxH = jpeg.Components.Max(c => c.H);
            MaxV = jpeg.Components.Max(c => c.V);
            McusX = (jpeg.Width + 8 * MaxH - 1) / (8 * MaxH);
            McusY = (jpeg.Height + 8 * MaxV - 1) / (8 * MaxV);
            BlocksX = jpeg.Components.Select(c => McusX * c.H).ToArray();
            BlocksY = jpeg.Components.Select(c => McusY * c.V).ToArray();
            Coefficients = jpeg.Components.Select((_, i) => new short[DecodeLimits.BufferSize("a JPEG coefficient plane", BlocksX[i], BlocksY[i], 64)]).ToArray();
        }

        public int MaxH { get; }

        public int MaxV { get; }

        public int McusX { get; }

        public int McusY { get; }

        public int[] BlocksX { get; }

        public int[] BlocksY { get; }

        public short[][] Coefficients { get; }
    }

    private static int DecodeScan(JpegStream jpeg, JpegScan scan, Geometry g)
    {
        var reader = new JpegBitReader(jpeg.Data, scan.DataStart);
        var indices = scan.Components.Select(c => Array.IndexOf(jpeg.Components, c)).ToArray();
        var dc = scan.Components.Select(c => JpegStream.Table(jpeg.DcTables, c.DcTable, "DC")).ToArray();
        var ac = scan.Components.Select(c => JpegStream.Table(jpeg.AcTables, c.AcTable, "AC")).ToArray();
        var predictions = new int[scan.Components.Length];
        var restart = jpeg.RestartInterval;
        var left = restart;
        if (scan.Components.Length == 1)
        {
            // A non-interleaved scan covers only the component's own blocks, not the MCU padding.
            var c = scan.Components[0];
            var index = indices[0];
            var width = (int)Math.Ceiling(jpeg.Width * c.H / (double)g.MaxH);
            var height = (int)Math.Ceiling(jpeg.Height * c.V / (double)g.MaxV);
            var (bx, by) = ((width + 7) / 8, (height + 7) / 8);
            for (var y = 0; y < by; y++)
            {
                for (var x = 0; x < bx; x++)
                {
                    Restart(reader, restart, ref left, predictions);
                    DecodeBlock(reader, dc[0], ac[0], ref predictions[0], g.Coefficients[index].AsSpan((y * g.BlocksX[index] + x) * 64, 64));
                }
            }
            return reader.EndOfScan();
        }
        for (var my = 0; my < g.McusY; my++)
        {
            for (var mx = 0; mx < g.McusX; mx++)
            {
                Restart(reader, restart, ref left, predictions);
                for (var s = 0; s < scan.Components.Length; s++)
                {
                    var c = scan.Components[s];
                    var index = indices[s];
                    for (var v = 0; v < c.V; v++)
                    {
                        for (var h = 0; h < c.H; h++)
                        {
                            var block = (my * c.V + v) * g.BlocksX[index] + mx * c.H + h;
                            DecodeBlock(reader, dc[s], ac[s], ref predictions[s], g.Coefficients[index].AsSpan(block * 64, 64));
                        }
                    }
                }
            }
        }
        return reader.EndOfScan();
    }

    private static void Restart(JpegBitReader reader, int restart, ref int left, int[] predictions)
    {
        if (restart == 0)
            return;
        if (left == 0)
        {
            reader.Restart();
            Array.Clear(predictions);
            left = restart;
        }
        left--;
    }

    private static void DecodeBlock(JpegBitReader reader, JpegHuffmanTable dc, JpegHuffmanTable ac, ref int prediction, Span<short> block)
    {
        var size = dc.Decode(reader);
        prediction += reader.ReadSigned(size);
        block[0] = (short)prediction;
        for (var k = 1; k < 64;)
        {
            var rs = ac.Decode(reader);
            var (run, s) = (rs >> 4, rs & 15);
            if (s == 0)
            {
                if (run != 15)
                    break;
                k += 16;
                continue;
            }
            k += run;
            if (k > 63)
                throw ImageException.Malformed("a JPEG block has more than 64 coefficients");
            block[ZigZag[k]] = (short)reader.ReadSigned(s);
            k++;
        }
    }

    private static PixelFrame Output(JpegStream jpeg, Geometry g, PixelLayout layout)
    {
        var components = jpeg.Components;
        var max = (1 << jpeg.Precision) - 1;
        var shift = 1 << (jpeg.Precision - 1);
        var bytes = layout.BytesPerSample;
        var output = new byte[layout.DecodedBytes];
        Span<float> samples = stackalloc float[64];
        for (var ci = 0; ci < components.Length; ci++)
        {
            var c = components[ci];
            var zigzagQuant = jpeg.QuantTables[c.QuantTable] ?? throw ImageException.Malformed($"JPEG quantisation table {c.QuantTable} is not defined");
            var quant = new float[64];
            for (var k = 0; k < 64; k++)
                quant[ZigZag[k]] = zigzagQuant[k];
            var planeWidth = g.BlocksX[ci] * 8;
            var plane = new ushort[DecodeLimits.BufferSize("a JPEG sample plane", planeWidth, g.BlocksY[ci], 8)];
            for (var by = 0; by < g.BlocksY[ci]; by++)
            {
                for (var bx = 0; bx < g.BlocksX[ci]; bx++)
                {
                    var coefficients = g.Coefficients[ci].AsSpan((by * g.BlocksX[ci] + bx) * 64, 64);
                    InverseDct(coefficients, quant, samples);
                    for (var y = 0; y < 8; y++)
                    {
                        for (var x = 0; x < 8; x++)
                        {
                            var value = (int)MathF.Round(samples[y * 8 + x]) + shift;
                            plane[(by * 8 + y) * planeWidth + bx * 8 + x] = (ushort)Math.Clamp(value, 0, max);
                        }
                    }
                }
            }
            for (var y = 0; y < jpeg.Height; y++)
            {
                // Sampling factors need not divide each other (T.81 A.1.1: 3 and 2 are allowed): the sample that covers
                // a pixel is taken proportionally, which for the usual 2:1 is y / 2, and always lies inside the plane.
                var row = y * c.V / g.MaxV * planeWidth;
                for (var x = 0; x < jpeg.Width; x++)
                {
                    var value = plane[row + x * c.H / g.MaxH];
                    var to = ((y * jpeg.Width + x) * components.Length + ci) * bytes;
                    if (bytes == 1)
                        output[to] = (byte)value;
                    else
                        BinaryPrimitives.WriteUInt16LittleEndian(output.AsSpan(to), value);
                }
            }
        }
        var photometric = components.Length == 3 && layout.Photometric is Photometric.YbrFull422 or Photometric.YbrPartial420
            ? Photometric.YbrFull
            : layout.Photometric;
        return new PixelFrame(layout with { Planar = false, Photometric = photometric }, output);
    }

    /// <summary>Dequantises (<paramref name="quant"/> in natural order) and applies the separable 8x8 inverse DCT (T.81 A.3.3) in floating point.</summary>
    private static void InverseDct(ReadOnlySpan<short> coefficients, float[] quant, Span<float> output)
    {
        Span<float> input = stackalloc float[64];
        Span<float> temp = stackalloc float[64];
        for (var i = 0; i < 64; i++)
            input[i] = coefficients[i] * quant[i];
        for (var y = 0; y < 8; y++)
        {
            for (var x = 0; x < 8; x++)
            {
                var sum = 0f;
                for (var u = 0; u < 8; u++)
                    sum += Cosines[x * 8 + u] * input[y * 8 + u];
                temp[y * 8 + x] = sum;
            }
        }
        for (var x = 0; x < 8; x++)
        {
            for (var y = 0; y < 8; y++)
            {
                var sum = 0f;
                for (var v = 0; v < 8; v++)
                    sum += Cosines[y * 8 + v] * temp[v * 8 + x];
                output[y * 8 + x] = sum;
            }
        }
    }

    /// <summary>C(u)/2 · cos((2x+1)uπ/16), by [x·8+u].</summary>
    private static float[] BuildCosines()
    {
        var table = new float[64];
        for (var x = 0; x < 8; x++)
        {
            for (var u = 0; u < 8; u++)
            {
                var c = u == 0 ? 1 / Math.Sqrt(2) : 1.0;
                table[x * 8 + u] = (float)(c / 2 * Math.Cos((2 * x + 1) * u * Math.PI / 16));
            }
        }
        return table;
    }
}
