using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Dicom.Tests.Corpus;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Imaging;

/// <summary>Puts corpus images into a project as plain files and hands back their ids (the image ids).</summary>
internal static class ImageFiles
{
    public const string Svs = "libvips/CMU-1-Small-Region.svs";
    public const string SignedCt = "orthanc-tests/SignedCT.dcm";
    public const string MultiFrame = "pydicom-data/emri_small.dcm";
    public const string Png = "iiif-validator/67352ccc-d1b0-11e1-89ae-279075081939.png";

    public static async Task<Guid> UploadAsync(TestServer server, string project, string relative, string? owner = null)
    {
        using var client = new TesseraClient(owner is null ? server.Admin() : server.Http(owner));
        await using var content = File.OpenRead(TestCorpus.File(relative));
        var file = await client.UploadFileAsync(project, "", "images", Path.GetFileName(relative), content);
        return file.Id;
    }

    public static async Task<Guid> UploadBytesAsync(TestServer server, string project, string name, byte[] bytes)
    {
        using var client = new TesseraClient(server.Admin());
        return (await client.UploadFileAsync(project, "", "images", name, new MemoryStream(bytes))).Id;
    }
}
