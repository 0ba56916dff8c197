using Microsoft.Extensions.Options;

namespace Tessera.Server.DicomNetwork;

/// <summary>
/// Accepted associations on this node: at most <see cref="DicomOptions.MaxAssociations"/> in all and
/// <see cref="DicomOptions.MaxAssociationsPerAe"/> per calling AE title, so that one AE holding many
/// idle associations cannot lock every other AE out. Connections that have not (yet) associated do
/// not count here; the listener bounds them by address and by time.
/// </summary>
internal sealed class AssociationSlots(IOptions<DicomOptions> options)
{
    private readonly Dictionary<string, int> _perAe = new(StringComparer.Ordinal);
    private int _total;

    /// <summary>A slot for an association of <paramref name="callingAe"/>, released by disposing it; null when a limit is reached.</summary>
    public IDisposable? TryTake(string callingAe, out string why)
    {
        var settings = options.Value;
        lock (_perAe)
        {
            var mine = _perAe.GetValueOrDefault(callingAe);
            if (_total >= settings.MaxAssociations)
            {
                why = $"{settings.MaxAssociations} associations are open (Dicom:MaxAssociations)";
                return null;
            }
            if (mine >= settings.MaxAssociationsPerAe)
            {
                why = $"{callingAe} has {mine} associations open (Dicom:MaxAssociationsPerAe)";
                return null;
            }
            _perAe[callingAe] = mine + 1;
            _total++;
        }
        why = "";
        return new Slot(this, callingAe);
    }

    private void Release(string callingAe)
    {
        lock (_perAe)
        {
            _total--;
            if (--_perAe[callingAe] == 0)
                _perAe.Remove(callingAe);
        }
    }

    private sealed class Slot(AssociationSlots slots, string callingAe) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                slots.Release(callingAe);
        }
    }
}
