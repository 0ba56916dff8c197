using System.ComponentModel.DataAnnotations;

namespace Tessera.Server.DicomNetwork;

/// <summary>The DICOM node (DIMSE): configuration section <c>Dicom</c>.</summary>
public sealed class DicomOptions
{
    public const string SectionName = "Dicom";

    /// <summary>The TCP port of the DICOM listener; 0 turns it off.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 11112;

    /// <summary>
    /// The address the DICOM listeners bind (<c>*</c>: every interface; an IP address; <c>localhost</c>; a name of this
    /// machine). Unset: loopback when every HTTP address is loopback, else every interface (<see cref="DicomBinding"/>).
    /// </summary>
    [StringLength(255)]
    public string? Host { get; set; }

    /// <summary>The server's own AE title: associations calling another title are rejected.</summary>
    [Required, StringLength(16, MinimumLength = 1), RegularExpression(@"^[\x20-\x5B\x5D-\x7E]*[\x21-\x5B\x5D-\x7E][\x20-\x5B\x5D-\x7E]*$",
        ErrorMessage = "An AE title is 1 to 16 printable ASCII characters without a backslash.")]
    public string AeTitle { get; set; } = "TESSERA";

    /// <summary>
    /// The project that C-STOREs to the server's own AE title go to when the calling AE's row of the AE
    /// table names none (or the caller is not in it and <see cref="AllowUnknownCallers"/> is on). Empty: such stores are refused.
    /// </summary>
    public string? DefaultProject { get; set; }

    /// <summary>Whether AEs that are not in the AE table may associate (then only to echo and store). Off: they are rejected.</summary>
    public bool AllowUnknownCallers { get; set; }

    /// <summary>Whether a calling AE of the AE table must call from its row's host (its name resolved, or its address).</summary>
    public bool CheckCallerHost { get; set; }

    /// <summary>The largest P-DATA PDU the server receives (announced as its maximum length).</summary>
    [Range(4096, 16 << 20)]
    public int MaxPduLength { get; set; } = 128 * 1024;

    /// <summary>Accepted associations served at once; further ones are rejected as transient (local limit exceeded).</summary>
    [Range(1, 10000)]
    public int MaxAssociations { get; set; } = 64;

    /// <summary>Accepted associations of one calling AE title at once (so one AE cannot take every slot).</summary>
    [Range(1, 10000)]
    public int MaxAssociationsPerAe { get; set; } = 16;

    /// <summary>Open TCP connections from one peer address, associated or not; further ones are closed at once.</summary>
    [Range(1, 10000)]
    public int MaxConnectionsPerAddress { get; set; } = 32;

    /// <summary>Connections that have not yet associated, from all addresses; further ones are closed at once.</summary>
    [Range(1, 100000)]
    public int MaxPendingConnections { get; set; } = 256;

    /// <summary>
    /// How long a new connection may take to send its association request (PS3.8 ARTIM); an idle socket is closed
    /// then. On the TLS port, the handshake has this long too.
    /// </summary>
    public TimeSpan ArtimTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an association may stay silent before it is aborted.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>DICOM over TLS: its own port, certificate and key, client certificates (<c>Dicom:Tls</c>).</summary>
    public DicomTlsOptions Tls { get; set; } = new();
}
