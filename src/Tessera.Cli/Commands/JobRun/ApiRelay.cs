using System.Net.Sockets;
using Tessera.Pipelines.Executors;

namespace Tessera.Cli.Commands.JobRun;

/// <summary>
/// A Unix socket on the node that carries each connection on to the server's TCP address: the
/// sandbox, which has no network, reaches the API through it as a local job reaches the server's own socket.
/// </summary>
internal sealed class ApiRelay : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _stop = new();
    private readonly string _host;
    private readonly int _port;
    private readonly Task _accepting;

    private ApiRelay(string path, Uri server)
    {
        Path = path;
        _host = server.Host;
        _port = server.Port;
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        ApiSocket.AllowTools(path);
        _listener.Listen(64);
        _accepting = AcceptAsync();
    }

    public string Path { get; }

    public static ApiRelay Start(string path, Uri server)
    {
        if (server.Scheme != Uri.UriSchemeHttp)
            throw new UsageException($"--network server relays plain HTTP; the server's address {server} is not (use --network host).");
        File.Delete(path);
        return new ApiRelay(path, server);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket inner;
            try
            {
                inner = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = PipeAsync(inner);
        }
    }

    private async Task PipeAsync(Socket inner)
    {
        using var outer = new TcpClient { NoDelay = true };
        using (inner)
        {
            try
            {
                await outer.ConnectAsync(_host, _port, _stop.Token);
                await using var a = new NetworkStream(inner, ownsSocket: false);
                await using var b = outer.GetStream();
                // Either side closing ends the connection.
                await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                // The tool or the server dropped the connection: nothing to keep.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting;
        _stop.Dispose();
        File.Delete(Path);
    }
}
