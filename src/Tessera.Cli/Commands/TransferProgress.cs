using System.Diagnostics;

namespace Tessera.Cli.Commands;

/// <summary>
/// Progress of a transfer on standard error: bytes done of the total, files done, rate and time
/// left. On a terminal one line is redrawn in place (with a carriage return, no ANSI escape
/// codes); when standard error is not a terminal (a log, a pipe, CI), a plain line is written
/// every <see cref="PlainInterval"/> and nothing is drawn over, so logs stay readable. Either way
/// it ends with one line of totals when at least one file was done.
/// Thread-safe: parallel transfers report into one instance.
/// </summary>
internal sealed class TransferProgress : IDisposable
{
    private static readonly TimeSpan s_terminalInterval = TimeSpan.FromMilliseconds(250);
    private readonly string _verb;
    private readonly long _totalBytes;
    private readonly int _totalFiles;
    private readonly bool _terminal;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Timer _timer;
    private readonly Lock _lock = new();
    private long _bytes;
    private long _skippedBytes;
    private int _files;
    private int _lastWidth;
    private bool _stopped;

    /// <param name="verb">What is done, for the plain lines: "uploaded", "downloaded", "sent".</param>
    /// <param name="totalBytes">The bytes to move; negative when not known beforehand (a zip built as it streams).</param>
    public TransferProgress(string verb, long totalBytes, int totalFiles)
    {
        _verb = verb;
        _totalBytes = totalBytes;
        _totalFiles = totalFiles;
        _terminal = !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") is not "dumb";
        var interval = _terminal ? s_terminalInterval : PlainInterval;
        _timer = new Timer(_ => Draw(), null, interval, interval);
    }

    /// <summary>How often a plain line is written when standard error is not a terminal (TESSERA_PROGRESS_SECONDS, default 10).</summary>
    public static TimeSpan PlainInterval =>
        int.TryParse(Environment.GetEnvironmentVariable("TESSERA_PROGRESS_SECONDS"), out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromSeconds(10);

    /// <summary>Bytes moved over the network.</summary>
    public void Add(long bytes) => Interlocked.Add(ref _bytes, bytes);

    /// <summary>Bytes that need not move (already there, or resumed from the server's offset): counted as done, not in the rate.</summary>
    public void Skip(long bytes) => Interlocked.Add(ref _skippedBytes, bytes);

    public void FileDone() => Interlocked.Increment(ref _files);

    /// <summary>Writes a line above the progress line (or simply a line when not on a terminal).</summary>
    public void Note(string line)
    {
        lock (_lock)
        {
            Clear();
            Console.Error.WriteLine(line);
        }
    }

    /// <summary>Stops drawing and writes one closing line with the totals (files done, bytes, time, rate).</summary>
    public void Dispose()
    {
        _timer.Dispose();
        lock (_lock)
        {
            Clear();
            _stopped = true;
            var moved = Interlocked.Read(ref _bytes);
            if (_files == 0)
            {
                return; // No file done (all refused, say): the command's own summary and errors say it all.
            }
            var rate = moved / Math.Max(0.001, _clock.Elapsed.TotalSeconds);
            Console.Error.WriteLine(_totalBytes < 0
                ? $"{Words.Bytes(moved)} {_verb} in {Words.Duration(_clock.Elapsed)} ({Words.Bytes((long)rate)}/s)."
                : $"{_files} of {Words.Count(_totalFiles, "file")} done, {Words.Bytes(moved)} {_verb} in {Words.Duration(_clock.Elapsed)} ({Words.Bytes((long)rate)}/s).");
        }
    }

    private void Clear()
    {
        if (_terminal && _lastWidth > 0)
        {
            Console.Error.Write("\r" + new string(' ', _lastWidth) + "\r");
            _lastWidth = 0;
        }
    }

    private void Draw()
    {
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }
            var line = Line();
            if (_terminal)
            {
                var width = Math.Max(20, SafeWidth() - 1);
                if (line.Length > width)
                {
                    line = line[..width];
                }
                Console.Error.Write("\r" + line.PadRight(_lastWidth));
                _lastWidth = line.Length;
            }
            else
            {
                Console.Error.WriteLine(line);
            }
        }
    }

    private string Line()
    {
        var moved = Interlocked.Read(ref _bytes);
        if (_totalBytes < 0)
        {
            return $"{Words.Bytes(moved)} {_verb}, {Words.Bytes((long)(moved / Math.Max(0.001, _clock.Elapsed.TotalSeconds)))}/s";
        }
        var done = Math.Min(_totalBytes, moved + Interlocked.Read(ref _skippedBytes));
        var seconds = Math.Max(0.001, _clock.Elapsed.TotalSeconds);
        var rate = moved / seconds;
        var percent = _totalBytes == 0 ? 100 : (int)(100 * done / _totalBytes);
        var eta = rate > 0 && done < _totalBytes ? Words.Duration(TimeSpan.FromSeconds((_totalBytes - done) / rate)) : "-";
        var bar = _terminal ? "[" + new string('#', percent / 5).PadRight(20, '.') + "] " : "";
        return $"{bar}{percent,3}%  {Words.Bytes(done)} of {Words.Bytes(_totalBytes)} {_verb}, "
            + $"{_files} of {Words.Count(_totalFiles, "file")}, {Words.Bytes((long)rate)}/s, ETA {eta}";
    }

    private static int SafeWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }
}
