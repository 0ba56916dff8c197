using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Tessera.Client.Contracts;

namespace Tessera.Client;

/// <summary>A typed client of the Tessera REST API. Paths are labels; they are escaped here.</summary>
public sealed partial class TesseraClient : IDisposable
{
    public static readonly JsonSerializerOptions JsonOptions = CreateJsonOptions();
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    public TesseraClient(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
    }

    public TesseraClient(Uri baseAddress, string? token = null, TimeSpan? timeout = null)
    {
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = baseAddress,
            Timeout = timeout ?? Timeout.InfiniteTimeSpan,
        };
        _ownsHttp = true;
        if (token is not null)
        {
            UseToken(token);
        }
    }

    public Uri? BaseAddress => _http.BaseAddress;

    public void UseToken(string token) =>
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

    public void UseBasic(string username, string password) =>
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    /// <summary>Escapes each segment of a slash-separated path for a URL.</summary>
    public static string Escape(string path) =>
        string.Join('/', (path ?? "").Split('/').Select(Uri.EscapeDataString));

    private async Task<T> SendAsync<T>(HttpMethod method, string url, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: JsonOptions);
        }
        using var response = await _http.SendAsync(request, ct);
        await EnsureSuccessAsync(response, ct);
        return (await response.Content.ReadFromJsonAsync<T>(JsonOptions, ct))!;
    }

    private async Task SendAsync(HttpMethod method, string url, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: JsonOptions);
        }
        using var response = await _http.SendAsync(request, ct);
        await EnsureSuccessAsync(response, ct);
    }

    internal static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        string title = response.ReasonPhrase ?? response.StatusCode.ToString();
        string? detail = null;
        var errors = new List<string>();
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(JsonOptions, ct);
            if (problem.ValueKind == JsonValueKind.Object)
            {
                title = problem.TryGetProperty("title", out var t) ? t.GetString() ?? title : title;
                detail = problem.TryGetProperty("detail", out var d) ? d.GetString() : null;
                if (problem.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Array)
                {
                    errors.AddRange(e.EnumerateArray().Select(x => x.ToString()));
                }
            }
        }
        catch (JsonException)
        {
            // Not a problem document (e.g. a proxy's HTML page): the status line is all we have.
        }
        throw new TesseraApiException(response.StatusCode, title, detail, errors);
    }

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        return options;
    }

    private static bool IsNotFound(TesseraApiException e) => e.Status == HttpStatusCode.NotFound;
}
