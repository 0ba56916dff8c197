using System.ComponentModel.DataAnnotations;

namespace Tessera.Server.Web;

public sealed class WebOptions
{
    public const string SectionName = "Web";

    /// <summary>A web sign-in ends after this long without a request.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromHours(8);
}
