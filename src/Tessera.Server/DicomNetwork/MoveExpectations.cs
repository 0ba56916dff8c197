using System.Collections.Concurrent;
using Tessera.Archive.Access;

namespace Tessera.Server.DicomNetwork;

/// <summary>
/// The C-MOVEs this node asked of others with itself as destination: the C-STOREs they cause carry
/// the move originator's AE title and message ID (PS3.7 9.3.1.1), by which they go to the project
/// and with the rights of whoever asked, whatever the sending AE's row of the AE table says.
/// </summary>
internal sealed class MoveExpectations
{
    private readonly ConcurrentDictionary<(string AeTitle, ushort MessageId), (string Project, Caller Caller)> _expected = new();

    /// <summary>Expects the stores of one C-MOVE until the returned handle is disposed.</summary>
    public IDisposable Expect(string sourceAeTitle, ushort messageId, string project, Caller caller)
    {
        _expected[(sourceAeTitle, messageId)] = (project, caller);
        return new Expectation(() => _expected.TryRemove((sourceAeTitle, messageId), out _));
    }

    public (string Project, Caller Caller)? Find(string sourceAeTitle, ushort messageId) =>
        _expected.TryGetValue((sourceAeTitle, messageId), out var expected) ? expected : null;

    private sealed class Expectation(Action end) : IDisposable
    {
        public void Dispose() => end();
    }
}
