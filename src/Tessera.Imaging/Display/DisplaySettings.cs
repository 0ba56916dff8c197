namespace Tessera.Imaging.Display;

/// <summary>
/// What the file says about showing its values: the modality transform (rescale, or a Modality LUT), the VOI
/// transform (windows, or VOI LUTs), the palette of PALETTE COLOR images.
/// </summary>
public sealed record DisplaySettings
{
    public double RescaleSlope { get; init; } = 1;

    public double RescaleIntercept { get; init; }

    public Lut? ModalityLut { get; init; }

    /// <summary>The file's windows, the first being the default.</summary>
    public IReadOnlyList<Window> Windows { get; init; } = [];

    public IReadOnlyList<Lut> VoiLuts { get; init; } = [];

    public PaletteLut? Palette { get; init; }

    public static DisplaySettings None { get; } = new();
}

/// <summary>What a viewer asks for, over the file's defaults.</summary>
public sealed record RenderOptions
{
    /// <summary>A window to use instead of the file's (centre and width in modality units).</summary>
    public Window? Window { get; init; }

    /// <summary>Inverts grey levels, on top of MONOCHROME1's own inversion.</summary>
    public bool Invert { get; init; }

    /// <summary>Which of the file's windows or VOI LUTs to use when no window is given (0 = the first).</summary>
    public int VoiIndex { get; init; }

    /// <summary>The fluorescence channels to show, composited in their colours; null shows them all.</summary>
    public IReadOnlyList<int>? Channels { get; init; }

    /// <summary>
    /// Per-channel contrast of a fluorescence image, one (low, high) pair per channel of the image in its order:
    /// the channel's display values from low to high are stretched to the whole range. Null keeps them as stored.
    /// </summary>
    public IReadOnlyList<(int Low, int High)>? ChannelRanges { get; init; }

    /// <summary>Whether anything differs from the file's own rendering (a stored tile can then not be sent as is).</summary>
    public bool Customised => Window is not null || Invert || VoiIndex != 0 || Channels is not null || ChannelRanges is not null;

    public static RenderOptions Default { get; } = new();
}
