using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace Tessera.Bench;

/// <summary>
/// GET load: THREADS workers, each with its own keep-alive connection, fetch URL (with an Accept header) until
/// COUNT answers have been read to their end. Prints requests/s and bytes per answer; any failed request fails the run.
/// </summary>
internal static class GetLoad
{
    public static async Task<int> RunAsync(string url, string accept, int count, int threads, string? auth)
    {
        var next = -1;
        var failures = 0;
        long bytes = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, threads).Select(_ => Task.Run(async () =>
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { Timeout = TimeSpan.FromMinutes(10) };
            if (auth?.StartsWith("token:", StringComparison.Ordinal) == true)
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", auth["token:".Length..]);
            else if (auth is not null)
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(auth)));
            http.DefaultRequestHeaders.TryAddWithoutValidation("Accept", accept);
            var buffer = new byte[1 << 16];
            while (Interlocked.Increment(ref next) < count)
            {
                using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
                await using var body = await response.Content.ReadAsStreamAsync();
                long read = 0;
                int n;
                while ((n = await body.ReadAsync(buffer)) > 0)
                    read += n;
                Interlocked.Add(ref bytes, read);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                    await Console.Error.WriteLineAsync($"{(int)response.StatusCode} for {url}");
                }
            }
        })));
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"requests={count} threads={threads} seconds={seconds:F2} requests_per_second={count / seconds:F1} bytes_per_answer={bytes / Math.Max(1, count)} failed_requests={failures}");
        return failures == 0 ? 0 : 1;
    }
}
