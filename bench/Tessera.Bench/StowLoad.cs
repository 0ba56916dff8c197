using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace Tessera.Bench;

/// <summary>
/// STOW-RS load: THREADS workers, each with its own keep-alive connection, post BATCH instances per
/// request until the list is done. Prints instances/s; any failed request fails the run.
/// </summary>
internal static class StowLoad
{
    public static async Task<int> RunAsync(string url, string list, int threads, int batch, string? auth)
    {
        var files = File.ReadAllLines(list);
        var batches = files.Chunk(batch).ToArray();
        var next = -1;
        var failures = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, threads).Select(_ => Task.Run(async () =>
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { Timeout = TimeSpan.FromMinutes(10) };
            if (auth?.StartsWith("token:", StringComparison.Ordinal) == true)
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", auth["token:".Length..]);
            else if (auth is not null)
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(auth)));
            http.DefaultRequestHeaders.Accept.ParseAdd("application/dicom+json");
            int i;
            while ((i = Interlocked.Increment(ref next)) < batches.Length)
            {
                using var content = new MultipartContent("related", "stowbench" + i);
                content.Headers.ContentType!.Parameters.Add(new NameValueHeaderValue("type", "\"application/dicom\""));
                foreach (var path in batches[i])
                    content.Add(new ByteArrayContent(await File.ReadAllBytesAsync(path)) { Headers = { ContentType = new MediaTypeHeaderValue("application/dicom") } });
                using var response = await http.PostAsync(url, content);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                    await Console.Error.WriteLineAsync($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }
        })));
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"instances={files.Length} threads={threads} batch={batch} seconds={seconds:F2} instances_per_second={files.Length / seconds:F1} failed_requests={failures}");
        return failures == 0 ? 0 : 1;
    }
}
