namespace Tessera.Imaging.Pixels;

/// <summary>
/// Resizes 8-bit images in two separable passes: an area average when shrinking (each output pixel is the mean of
/// the input it covers, fractions weighted, as a box filter pyramid would give) and bilinear when enlarging.
/// </summary>
public static class Resampler
{
    private const int Precision = 14;

    public static RasterImage Resize(RasterImage source, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (width == source.Width && height == source.Height)
            return source;
        var bands = source.Bands;
        var horizontal = Weights(source.Width, width);
        var vertical = Weights(source.Height, height);
        var temp = new int[width * source.Height * bands];
        for (var y = 0; y < source.Height; y++)
        {
            var row = source.Pixels.AsSpan(y * source.Width * bands, source.Width * bands);
            var into = temp.AsSpan(y * width * bands, width * bands);
            for (var x = 0; x < width; x++)
            {
                var (start, weights) = horizontal[x];
                for (var b = 0; b < bands; b++)
                {
                    var sum = 0;
                    for (var k = 0; k < weights.Length; k++)
                        sum += row[(start + k) * bands + b] * weights[k];
                    into[x * bands + b] = sum;
                }
            }
        }
        var output = new byte[width * height * bands];
        var stride = width * bands;
        const int round = 1 << (2 * Precision - 1);
        for (var y = 0; y < height; y++)
        {
            var (start, weights) = vertical[y];
            for (var i = 0; i < stride; i++)
            {
                long sum = 0;
                for (var k = 0; k < weights.Length; k++)
                    sum += (long)temp[(start + k) * stride + i] * weights[k];
                output[y * stride + i] = (byte)Math.Clamp((sum + round) >> (2 * Precision), 0, 255);
            }
        }
        return new RasterImage(width, height, bands, output);
    }

    /// <summary>For each output index: the first input index and the fixed-point weights of the inputs from there.</summary>
    private static (int Start, int[] Weights)[] Weights(int inputSize, int outputSize)
    {
        var scale = (double)inputSize / outputSize;
        var result = new (int, int[])[outputSize];
        for (var o = 0; o < outputSize; o++)
        {
            double[] raw;
            int start;
            if (scale >= 1)
            {
                var (from, to) = (o * scale, Math.Min(inputSize, (o + 1) * scale));
                start = (int)Math.Floor(from);
                var end = Math.Min(inputSize, (int)Math.Ceiling(to));
                raw = new double[Math.Max(1, end - start)];
                for (var i = start; i < end; i++)
                    raw[i - start] = Math.Min(i + 1, to) - Math.Max(i, from);
            }
            else
            {
                var centre = (o + 0.5) * scale - 0.5;
                start = Math.Clamp((int)Math.Floor(centre), 0, inputSize - 1);
                var next = Math.Min(start + 1, inputSize - 1);
                var fraction = Math.Clamp(centre - start, 0, 1);
                raw = next == start ? [1.0] : [1 - fraction, fraction];
            }
            var total = raw.Sum();
            var weights = raw.Select(w => (int)Math.Round(w / total * (1 << Precision))).ToArray();
            weights[Array.IndexOf(raw, raw.Max())] += (1 << Precision) - weights.Sum();
            result[o] = (start, weights);
        }
        return result;
    }
}
