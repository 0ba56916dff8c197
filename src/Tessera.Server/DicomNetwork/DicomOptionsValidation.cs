using Microsoft.Extensions.Options;

namespace Tessera.Server.DicomNetwork;

/// <summary>The rules across <see cref="DicomOptions"/> that attributes cannot say: the TLS port, its files, and that they fit together.</summary>
internal sealed class DicomOptionsValidation : IValidateOptions<DicomOptions>
{
    public ValidateOptionsResult Validate(string? name, DicomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var tls = options.Tls;
        if (tls.Port is < 0 or > 65535)
            return ValidateOptionsResult.Fail($"Dicom:Tls:Port {tls.Port} is not a TCP port (0 turns the TLS listener off).");
        if (tls.Port != 0 && tls.Port == options.Port)
            return ValidateOptionsResult.Fail($"Dicom:Tls:Port and Dicom:Port are both {tls.Port}: the TLS listener needs a port of its own.");
        if (tls.Port != 0 && (string.IsNullOrEmpty(tls.Certificate) || string.IsNullOrEmpty(tls.Key)))
            return ValidateOptionsResult.Fail("Dicom:Tls:Port is set: Dicom:Tls:Certificate and Dicom:Tls:Key must name the PEM files of the node's certificate and private key.");
        try
        {
            _ = new DicomTlsCredentials(tls);
        }
        catch (InvalidOperationException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
        return ValidateOptionsResult.Success;
    }
}
