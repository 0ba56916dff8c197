namespace Tessera.Server.Tests.Imaging;

/// <summary>
/// The image-heavy classes (hundreds of tiles rendered, a browser drawing them) run one after another rather than
/// at once, so that on two cores they do not starve each other's requests past their timeouts.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ImageHeavyTests
{
    public const string Name = "Imaging";
}
