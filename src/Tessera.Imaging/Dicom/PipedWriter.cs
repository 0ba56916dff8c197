using System.Buffers;
using System.IO.Pipelines;

namespace Tessera.Imaging.Dicom;

/// <summary>
/// Runs a synchronous writer (the DICOM toolkit's, which copies bulk data from its source as it goes) on a worker
/// and copies what it writes to an asynchronous stream (an HTTP response) through a pipe of at most 1 MiB: memory
/// stays bounded whatever the writer writes, and the response is never written synchronously.
/// </summary>
public static class PipedWriter
{
    private const long Pause = 1 << 20;

    public static async Task WriteAsync(Action<Stream> write, Stream output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(output);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: Pause, resumeWriterThreshold: Pause / 2, useSynchronizationContext: false));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var producer = Task.Run(() =>
        {
            try
            {
                // Buffered: the writer's many small writes (element headers) go to the pipe 64 KiB at a time.
                using (var sink = new Sink(pipe.Writer, stop.Token))
                using (var buffered = new BufferedStream(sink, 1 << 16))
                {
                    write(buffered);
                    buffered.Flush();
                }
                pipe.Writer.Complete();
            }
            catch (Exception e)
            {
                pipe.Writer.Complete(e);
            }
        }, CancellationToken.None);
        try
        {
            await pipe.Reader.CopyToAsync(output, ct);
            await pipe.Reader.CompleteAsync();
        }
        catch (Exception e)
        {
            // The client went away or the writer failed: the writer stops at its next write.
            await stop.CancelAsync();
            await pipe.Reader.CompleteAsync(e);
            await producer;
            throw;
        }
        await producer;
    }

    /// <summary>The writer's end: each write waits while the pipe is full, and fails once the copy has stopped.</summary>
    private sealed class Sink(PipeWriter writer, CancellationToken ct) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            ct.ThrowIfCancellationRequested();
            writer.Write(buffer);
            var flushed = writer.FlushAsync(ct).AsTask().GetAwaiter().GetResult();
            if (flushed.IsCompleted)
                throw new OperationCanceledException("the reading end of the pipe has stopped");
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
